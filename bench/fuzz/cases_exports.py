"""Cases over annotation tool exports (Label Studio, doccano) and their options."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from .cases_inputs import record_pointers
from .model import BAD_VALUES, SEEDS, Case, tx
from .mutations import (
    edit_bytes,
    edit_config,
    export_edit,
    export_value,
    link_loop,
    replace_with_dir,
    then,
    use_export,
)


def export_cases() -> Iterator[Case]:
    shapes: list[tuple[str, Callable[..., Any], str, bool, dict[str, Any]]] = [
        ("ls-json", tx.label_studio_json, "label-studio", False, {}),
        ("ls-min", tx.label_studio_json_min, "label-studio", False, {}),
        ("doccano-seq", tx.doccano_sequence_labeling, "doccano", True, {}),
        ("doccano-rel", tx.doccano_relation_extraction, "doccano", True, {}),
        ("doccano-intent", tx.doccano_intent_detection, "doccano", True, {}),
        ("doccano-v1", tx.doccano_text_label_v1, "doccano", True, {}),
    ]
    for shape, make, fmt, jsonl, extra in shapes:
        name = f"export.{'jsonl' if jsonl else 'json'}"
        base = use_export(make, fmt, jsonl=jsonl, extra=extra)
        yield Case(f"export-ok:{shape}", base, name, expect="any")
        sample = make(SEEDS)[1]
        for pointer in record_pointers(sample):
            where = "/".join(str(p) for p in pointer)
            for kind, raw in BAD_VALUES.items():
                if kind in ("huge", "ninf", "big") and pointer[0] in ("text", "data"):
                    continue
                yield Case(
                    f"export-{kind}:{shape}:{where}",
                    then(base, export_value(name, jsonl, pointer, raw)),
                    name,
                    2 if jsonl else None,
                    "any",
                )
            yield Case(
                f"export-missing:{shape}:{where}",
                then(base, export_value(name, jsonl, pointer, None)),
                name,
                2 if jsonl else None,
                "any",
            )
        # deeper: a result / span item
        for deep in _deep_pointers(sample):
            where = "/".join(str(p) for p in deep)
            for kind in ("null", "number", "list", "object", "nan", "big", "bool"):
                yield Case(
                    f"export-{kind}:{shape}:{where}",
                    then(base, export_value(name, jsonl, deep, BAD_VALUES[kind])),
                    name,
                    2 if jsonl else None,
                    "any",
                )
        yield Case(
            f"export-truncated:{shape}",
            then(base, edit_bytes(name, lambda b: b[: len(b) // 2])),
            name,
            None,
        )
        # an empty export is no annotations, as an empty native file is
        yield Case(
            f"export-empty:{shape}", then(base, edit_bytes(name, lambda b: b"")), name, None, "any"
        )
        yield Case(
            f"export-badutf8:{shape}",
            then(base, edit_bytes(name, lambda b: b[:100] + b"\xff\xfe" + b[100:])),
            name,
            None,
        )
        yield Case(
            f"export-utf16:{shape}",
            then(base, edit_bytes(name, lambda b: b.decode().encode("utf-16"))),
            name,
            None,
            "any",
        )
        yield Case(
            f"export-bom:{shape}",
            then(base, edit_bytes(name, lambda b: b"\xef\xbb\xbf" + b)),
            name,
            None,
            "any",
        )
        yield Case(
            f"export-scalar:{shape}", then(base, edit_bytes(name, lambda b: b"42")), name, None
        )
        yield Case(
            f"export-nested:{shape}",
            then(base, edit_bytes(name, lambda b: b"[" * 100_000 + b"]" * 100_000)),
            name,
            None,
        )
        yield Case(f"export-dir:{shape}", then(base, replace_with_dir(name)), name, None, "any")
        yield Case(f"export-loop:{shape}", then(base, link_loop(name)), name, None)
        yield Case(
            f"export-duplicate:{shape}",
            then(base, export_edit(name, jsonl, lambda items: items.append(items[1]))),
            name,
            None,
        )
        for option, value in (
            ("labels", 7),
            ("labels", {"Person": 7}),
            ("labels", ["x"]),
            ("speaker_relations", 7),
            ("choices", [1]),
            ("text_key", 7),
            ("label_config", "nope.xml"),
            ("predictions", "yes"),
            ("label_table", 7),
            ("offsets", "bytes"),
            ("zz_unknown", 1),
        ):
            yield Case(
                f"export-option-{option}={json.dumps(value)[:10]}:{shape}",
                then(
                    base,
                    edit_config(
                        lambda c, o=option, v=value: c["inputs"]["annotations"][0].update({o: v})
                    ),
                ),
                "dataset.yaml",
                expect="any",
            )


def _deep_pointers(sample: dict[str, Any]) -> Iterator[list[Any]]:
    for key in ("annotations", "label", "entities", "labels", "relations", "cats"):
        value = sample.get(key)
        if isinstance(value, list) and value:
            first = value[0]
            if isinstance(first, dict):
                for sub, subval in first.items():
                    yield [key, 0, sub]
                    if sub == "result" and isinstance(subval, list) and subval:
                        for k2, v2 in subval[0].items():
                            yield [key, 0, "result", 0, k2]
                            if isinstance(v2, dict):
                                for k3 in v2:
                                    yield [key, 0, "result", 0, k2, k3]
            elif isinstance(first, list):
                for i in range(len(first)):
                    yield [key, 0, i]
    for key, value in sample.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and "start" in value[0]:
            for sub in value[0]:
                yield [key, 0, sub]
