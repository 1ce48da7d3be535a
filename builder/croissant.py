"""``croissant.json``: the build described in Croissant 1.1 JSON-LD, with the RAI vocabulary.

Written by hand from what the build knows (no mlcroissant at run time): every
Parquet file as a ``cr:FileObject`` with its sha256 and a relative
``contentUrl``; each split as a ``cr:FileSet`` of its shards and a
``cr:RecordSet`` whose typed fields mirror the ``datasets`` Features (a list of
structs is a field with ``subField``s and ``isArray``, the way the Hub's own
Croissant endpoint writes them; a ``ClassLabel`` is its integer id, with the
names in the description). The Responsible-AI fields (``rai:*``) are filled from
the build's own figures: how the texts were collected, what each cleaning rule
removed, how the annotations were made and anchored, what the privacy scan
found, and the maintainer's prose from ``dataset.yaml``.

The file holds no timestamp and its keys are written in a fixed order, so the
same build gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .feature_types import FeatureDict, is_struct
from .manifest import sha256_file

__all__ = ["CONFORMS_TO", "CROISSANT_NAME", "croissant_document", "write_croissant"]

CROISSANT_NAME = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"

#: The JSON-LD context of Croissant 1.1 (as mlcroissant writes it), plus the RAI prefix.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

#: Arrow value types of `datasets.Value` -> Croissant data types (as the Hub maps them).
VALUE_TYPES = {
    "bool": "sc:Boolean",
    "date32": "sc:Date",
    "date64": "sc:Date",
    "float16": "cr:Float16",
    "float32": "cr:Float32",
    "float64": "cr:Float64",
    "int8": "cr:Int8",
    "int16": "cr:Int16",
    "int32": "cr:Int32",
    "int64": "cr:Int64",
    "uint8": "cr:UInt8",
    "uint16": "cr:UInt16",
    "uint32": "cr:UInt32",
    "uint64": "cr:UInt64",
    "string": "sc:Text",
    "large_string": "sc:Text",
}

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class CroissantError(ValueError):
    """A feature type with no Croissant equivalent (a bug in the row schema mapping)."""


def _describe(schema: Mapping[str, Any] | None, extra: str = "") -> str:
    text = str((schema or {}).get("description") or "").strip()
    return " ".join(t for t in (text, extra) if t)


def _items(schema: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not schema:
        return None
    items = schema.get("items")
    return items if isinstance(items, Mapping) else None


def _props(schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
    props = (schema or {}).get("properties")
    return props if isinstance(props, Mapping) else {}


def _field(
    field_id: str,
    name: str,
    feature: FeatureDict,
    source: dict[str, Any],
    schema: Mapping[str, Any] | None,
    json_path: list[str],
) -> dict[str, Any]:
    """One ``cr:Field`` for a feature; nested features become ``subField``s."""
    out: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": name}
    is_array = False
    if feature.get("_type") == "List":
        is_array, feature, schema = True, feature["feature"], _items(schema)
    kind = feature.get("_type")
    if kind == "ClassLabel":
        names = ", ".join(f"{i}={n}" for i, n in enumerate(feature["names"]))
        out["description"] = _describe(schema, f"Stored as the ClassLabel id: {names}.")
        out["dataType"] = "sc:Integer"
    elif kind == "Value":
        if feature["dtype"] not in VALUE_TYPES:
            raise CroissantError(f"{field_id}: no Croissant type for {feature['dtype']}")
        out["description"] = _describe(schema)
        out["dataType"] = VALUE_TYPES[feature["dtype"]]
    elif is_struct(feature):
        out["description"] = _describe(schema)
        out["subField"] = [
            _field(
                f"{field_id}/{key}",
                key,
                sub,
                source,
                _props(schema).get(key),
                [*json_path, key],
            )
            for key, sub in feature.items()
        ]
    else:
        raise CroissantError(f"{field_id}: no Croissant type for {kind}")
    if "subField" not in out:
        out["source"] = dict(source)
        if json_path:
            out["source"]["transform"] = {"jsonPath": ".".join(json_path)}
    if not out["description"]:
        del out["description"]
    if is_array:
        out["isArray"] = True
        out["arrayShape"] = "-1"
    return out


def _record_set(
    split: str, file_set: str, features: Mapping[str, FeatureDict], row_schema: Mapping[str, Any]
) -> dict[str, Any]:
    fields = []
    for column, feature in features.items():
        source = {"fileSet": {"@id": file_set}, "extract": {"column": column}}
        fields.append(
            _field(
                f"{split}/{column}",
                column,
                feature,
                source,
                _props(row_schema).get(column),
                [],
            )
        )
    return {
        "@type": "cr:RecordSet",
        "@id": split,
        "name": split,
        "description": f"The {split} split: one record per article.",
        "key": {"@id": f"{split}/id"},
        "field": fields,
    }


def _safe_id(text: str) -> str:
    return _ID_UNSAFE.sub("_", text)


def croissant_document(
    *,
    name: str,
    description: str,
    version: str,
    license: str,
    url: str | None,
    languages: Sequence[str],
    cite_as: str,
    keywords: Sequence[str],
    files: Sequence[tuple[str, str, int]],
    features: Mapping[str, FeatureDict],
    row_schema: Mapping[str, Any],
    rai: Mapping[str, Any],
) -> dict[str, Any]:
    """The JSON-LD document. ``files``: (relative path, sha256, bytes) of every Parquet shard."""
    splits: dict[str, list[str]] = {}
    distribution: list[dict[str, Any]] = []
    for path, digest, size in files:
        split = Path(path).name.split("-")[0]
        splits.setdefault(split, []).append(path)
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": _safe_id(Path(path).name),
                "name": Path(path).name,
                "description": f"Parquet shard of the {split} split.",
                "contentUrl": path,
                "contentSize": f"{size} B",
                "encodingFormat": PARQUET,
                "sha256": digest,
            }
        )
    record_sets = []
    for split in splits:
        file_set = f"parquet-{_safe_id(split)}"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": file_set,
                "name": file_set,
                "description": f"The Parquet shards of the {split} split (the FileObjects above).",
                "encodingFormat": PARQUET,
                "includes": f"data/{split}-*.parquet",
            }
        )
        record_sets.append(_record_set(split, file_set, features, row_schema))
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": [CONFORMS_TO, "http://mlcommons.org/croissant/RAI/1.0"],
        "name": name,
        "description": description,
        "version": version,
        "license": license,
        **({"url": url} if url else {}),
        "inLanguage": list(languages),
        "keywords": list(keywords),
        **({"citeAs": cite_as} if cite_as else {}),
        "isLiveDataset": False,
        **{key: value for key, value in rai.items() if value},
        "distribution": distribution,
        "recordSet": record_sets,
    }
    return doc


def write_croissant(directory: Path, document: Mapping[str, Any]) -> Path:
    """Write ``croissant.json`` in ``directory`` (fixed key order, UTF-8, trailing newline)."""
    path = directory / CROISSANT_NAME
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def parquet_files(directory: Path) -> list[tuple[str, str, int]]:
    """(relative path, sha256, bytes) of every Parquet shard under ``directory/data``."""
    return [
        (p.relative_to(directory).as_posix(), sha256_file(p), p.stat().st_size)
        for p in sorted((directory / "data").glob("*.parquet"))
    ]


def _count_list(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"


def _concentration(context: Mapping[str, Any]) -> str:
    """How the published articles spread over publishers: the first bias a reader should know."""
    rows = sorted(
        ((r["published"], r["publisher"]) for r in context["accounting"]["per_source"]),
        reverse=True,
    )
    total = sum(n for n, _ in rows)
    if not total:
        return "No article was published."
    top, name = rows[0]
    return (
        f"{total} published article(s) from {len(rows)} publisher(s); the largest, {name}, "
        f"holds {top} ({top / total:.0%}). Text and framing follow these outlets."
    )


def rai_fields(context: Mapping[str, Any], rights: Mapping[str, Any]) -> dict[str, Any]:
    """The ``rai:*`` properties, from the card's context (the build's figures) and the rights."""
    card = context.get("card") or {}
    counts = context["counts"]
    cleaning = context["cleaning"]
    spans = context.get("spans") or {}
    privacy = context.get("privacy") or {}
    restricted = rights.get("restricted_full_text") or []
    collection = (
        f"{counts['read']} raw news articles read, byte for byte as collected, from "
        f"{rights.get('publishers', 0)} publisher(s); {counts['written']} published and "
        f"{counts['rejected']} rejected. How each text was obtained (source records' "
        f"obtained.method): {_count_list(rights.get('obtained') or {})}. Each row keeps its "
        "provenance (publisher, headline, author, URL, publication and capture dates, "
        "rights); unknown values are null, never guessed."
    )
    steps = [
        f"Cleaning steps, in order: {', '.join(cleaning['steps'])}. Every edit is logged in "
        "the row's `edits` with its rule, so the raw text is rebuilt exactly.",
        *(
            f"{r['rule']}: {r['edits']} edit(s), {r['chars']} character(s) removed"
            for r in cleaning["rules"]
        ),
        f"Articles rejected by validation: {counts['rejected']}.",
        f"Texts withheld (publish_full_text: false): {rights.get('withheld_articles', 0)}.",
    ]
    annotators = context.get("annotators") or []
    annotation = (
        "Entity and quotation spans were made on the raw text, kept with a W3C "
        "TextQuoteSelector and the sha256 of the text they were made on, and mapped onto the "
        f"clean text through the edit log: {spans.get('anchored', 0)} anchored, "
        f"{spans.get('moved', 0)} moved, {spans.get('orphaned', 0)} orphaned."
    )
    limitations = [*card.get("limitations", [])]
    if restricted:
        names = ", ".join(r["publisher"] for r in restricted)
        limitations.append(
            f"Full texts from {len(restricted)} publisher(s) ({names}) have redistribution terms "
            "that are unknown or refused."
        )
    if privacy.get("scan"):
        found = {k: v for k, v in (privacy.get("findings") or {}).items() if v}
        scan = (
            f"An automatic scan for personal data ({', '.join(privacy.get('kinds') or [])}) "
            f"found {privacy.get('total_findings', 0)} finding(s) in "
            f"{privacy.get('articles_with_findings', 0)} of {privacy.get('scanned_articles', 0)} "
            f"article(s)" + (f": {_count_list(found)}" if found else "") + "."
        )
    else:
        scan = "No automatic scan for personal data was run."
    out_of_scope = card.get("out_of_scope")
    use_cases = " ".join(
        t for t in (card.get("direct_use"), out_of_scope and f"Out of scope: {out_of_scope}") if t
    )
    return {
        "rai:dataCollection": collection,
        "rai:dataCollectionType": sorted((rights.get("obtained") or {}).keys()),
        "rai:dataCollectionRawData": (
            "The raw texts are not republished: each row carries the sha256 of its raw file "
            "(raw_sha256) and the edit log that rebuilds it from the clean text."
        ),
        "rai:dataPreprocessingProtocol": steps,
        "rai:dataAnnotationProtocol": annotation,
        "rai:dataAnnotationPlatform": sorted({a["kind"] for a in annotators}),
        "rai:machineAnnotationTools": [
            f"{a['name']} ({a['kind']}){': ' + a['note'] if a.get('note') else ''}"
            for a in annotators
        ],
        "rai:annotatorDemographics": card.get("annotators"),
        "rai:dataUseCases": use_cases,
        "rai:dataBiases": _concentration(context),
        "rai:dataLimitations": limitations,
        "rai:personalSensitiveInformation": " ".join(
            t for t in (card.get("personal_information"), scan) if t
        ),
        "rai:dataReleaseMaintenancePlan": (
            "Every release is an immutable semver tag; a change to the data needs at least a "
            "minor version, a change to fields or label sets a major one."
        ),
    }
