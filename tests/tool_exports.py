"""The seed annotations written in the shapes doccano and Label Studio really export.

Each function turns the seeds' native records (``seeds/annotations.jsonl``) into
one export shape, as the tools write it:

* doccano (``backend/data_export``: ``ExportedExample.to_dict`` gives ``id``,
  ``text`` and the imported columns flattened at the top level; ``Comments`` is
  always there; ``ExportedSpan.to_tuple``/``to_dict`` and ``ExportedRelation.to_dict``
  give the spans and relations; offsets are the browser's UTF-16 units):
  sequence labeling, sequence labeling with relations, intent detection, and the
  1.x shapes of doccano-transformer's fixtures (``labels`` triples; ``annotations``
  with label ids, plus the project's label table);
* Label Studio JSON (``annotations[].result`` with ``labels``, ``choices`` and
  ``relation`` items, ``completed_by``, timestamps; ``predictions`` with
  ``model_version``) and JSON-MIN as ``label_studio_sdk``'s converter writes it
  (``convert_to_json_min``: the task data flattened, one key per control with
  ``prettify_result`` applied: a single choice as a bare string; no relations).

``Style`` sets what varies between projects: the control names, the data key of
the text, the label names (Label Studio's stock ``Person``/``Organization``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

#: entities and quotes in the seeds' annotations
SEED_ENTITIES = 557
SEED_QUOTES = 30


def seed_records(seeds: Path) -> list[dict[str, Any]]:
    lines = (seeds / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def seed_text(seeds: Path, article_id: str) -> str:
    return (seeds / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")


def utf16(text: str) -> Callable[[int], int]:
    """Code-point offset -> UTF-16 units, as a browser counts."""
    return lambda i: len(text[:i].encode("utf-16-le")) // 2


@dataclass
class Style:
    """What a project chose: control names, text key, its label names."""

    span_control: str = "label"
    text_key: str = "text"
    genre_control: str = "genre"
    form_control: str = "text_form"
    #: dataset label -> the project's label (``PERSON`` -> ``Person``)
    label_names: dict[str, str] = field(default_factory=dict)
    relation_label: str | None = "said_by"
    with_doc_labels: bool = True
    with_quotes: bool = True

    def name(self, label: str) -> str:
        return self.label_names.get(label, label)


STOCK_LABELS = {"PERSON": "Person", "ORG": "Organization", "LOC": "Location", "QUOTE": "Quote"}


def _spans(rec: dict[str, Any], style: Style) -> list[tuple[dict[str, Any], str]]:
    spans = [(e, e["label"]) for e in rec["entities"]]
    if style.with_quotes:
        spans += [(q, "QUOTE") for q in rec["quotes"]]
    return spans


# -- doccano -------------------------------------------------------------------------------
def doccano_sequence_labeling(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    style = style or Style()
    lines = []
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        u = utf16(text)
        label = sorted(
            [u(s["start"]), u(s["end"]), style.name(lab)] for s, lab in _spans(rec, style)
        )
        line = {
            "id": n,
            "text": text,
            "article_id": rec["article_id"],
            "label": label,
            "Comments": [],
        }
        lines.append(line)
    return lines


def doccano_v16_data(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    """doccano 1.6's JSONL export: the text under ``data``, not ``text`` (PaddleNLP's
    ``doccano.py`` reads ``items["data"]`` "compatible with doccano >= 1.6.2", ``text``
    otherwise), the spans as ``label`` triples."""
    return [
        {("data" if k == "text" else k): v for k, v in line.items()}
        for line in doccano_sequence_labeling(seeds, style)
    ]


def doccano_relation_extraction(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    style = style or Style()
    lines = []
    span_id = 1000
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        u = utf16(text)
        ids: dict[str, int] = {}
        entities = []
        for s, lab in _spans(rec, style):
            span_id += 1
            ids[s["id"]] = span_id
            entities.append(
                {
                    "id": span_id,
                    "label": style.name(lab),
                    "start_offset": u(s["start"]),
                    "end_offset": u(s["end"]),
                }
            )
        relations = [
            {
                "id": 500 + i,
                "from_id": ids[q["id"]],
                "to_id": ids[q["speaker"]],
                "type": style.relation_label,
            }
            for i, q in enumerate(rec["quotes"])
            if q.get("speaker") and style.with_quotes
        ]
        lines.append(
            {
                "id": n,
                "text": text,
                "article_id": rec["article_id"],
                "entities": entities,
                "relations": relations,
                "Comments": [],
            }
        )
    return lines


def doccano_intent_detection(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    """``cats`` (sorted category names) and ``entities`` as ``[start, end, label]`` lists."""
    style = style or Style()
    lines = []
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        u = utf16(text)
        entities = sorted(
            [u(s["start"]), u(s["end"]), style.name(lab)] for s, lab in _spans(rec, style)
        )
        cats = sorted(rec["labels"].values()) if style.with_doc_labels else []
        lines.append(
            {
                "id": n,
                "text": text,
                "article_id": rec["article_id"],
                "entities": entities,
                "cats": cats,
                "Comments": [],
            }
        )
    return lines


def doccano_text_label_v1(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    """doccano 1.x "JSONL (text label)": ``labels`` triples, ``meta``, ``annotation_approver``."""
    style = style or Style()
    lines = []
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        u = utf16(text)
        labels = [[u(s["start"]), u(s["end"]), style.name(lab)] for s, lab in _spans(rec, style)]
        lines.append(
            {
                "id": 2577 + n,
                "text": text,
                "meta": {"article_id": rec["article_id"]},
                "annotation_approver": None,
                "labels": labels,
            }
        )
    return lines


def doccano_label_ids_v1(
    seeds: Path, style: Style | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """doccano 1.0 JSONL: ``annotations`` with label ids; and the project's labels JSON."""
    style = style or Style()
    names = sorted({lab for rec in seed_records(seeds) for _, lab in _spans(rec, style)})
    table = [
        {
            "id": 12 + i,
            "text": style.name(lab),
            "prefix_key": None,
            "suffix_key": None,
            "background_color": "#209cee",
            "text_color": "#ffffff",
        }
        for i, lab in enumerate(names)
    ]
    ids = {style.name(lab): 12 + i for i, lab in enumerate(names)}
    lines = []
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        u = utf16(text)
        annotations = [
            {
                "label": ids[style.name(lab)],
                "start_offset": u(s["start"]),
                "end_offset": u(s["end"]),
                "user": 1,
            }
            for s, lab in _spans(rec, style)
        ]
        lines.append(
            {
                "id": 2577 + n,
                "text": text,
                "annotations": annotations,
                "meta": {"article_id": rec["article_id"]},
                "annotation_approver": None,
            }
        )
    return lines, table


# -- Label Studio ---------------------------------------------------------------------------
def _ls_result(rec: dict[str, Any], text: str, style: Style) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for s, lab in _spans(rec, style):
        result.append(
            {
                "value": {
                    "start": s["start"],
                    "end": s["end"],
                    "text": s["text"],
                    "labels": [style.name(lab)],
                },
                "id": f"r-{rec['article_id'][:3]}-{s['id']}",
                "from_name": style.span_control,
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
            }
        )
    if style.with_quotes:
        for q in rec["quotes"]:
            if q.get("speaker"):
                rel: dict[str, Any] = {
                    "from_id": f"r-{rec['article_id'][:3]}-{q['id']}",
                    "to_id": f"r-{rec['article_id'][:3]}-{q['speaker']}",
                    "type": "relation",
                    "direction": "right",
                }
                if style.relation_label is not None:
                    rel["labels"] = [style.relation_label]
                result.append(rel)
    if style.with_doc_labels:
        controls = {"genre": style.genre_control, "text_form": style.form_control}
        for name, value in rec["labels"].items():
            result.append(
                {
                    "value": {"choices": [value]},
                    "id": f"c-{rec['article_id'][:3]}-{name}",
                    "from_name": controls[name],
                    "to_name": "text",
                    "type": "choices",
                    "origin": "manual",
                }
            )
    return result


def label_studio_json(
    seeds: Path, style: Style | None = None, *, as_predictions: bool = False
) -> list[dict[str, Any]]:
    style = style or Style()
    tasks = []
    for n, rec in enumerate(seed_records(seeds), start=1):
        text = seed_text(seeds, rec["article_id"])
        result = _ls_result(rec, text, style)
        annotation = {
            "id": 100 + n,
            "completed_by": 1,
            "result": result,
            "was_cancelled": False,
            "ground_truth": False,
            "created_at": "2024-04-20T10:00:00.000000Z",
            "updated_at": "2024-04-20T10:05:00.000000Z",
            "lead_time": 300.5,
            "prediction": {},
            "result_count": 0,
            "task": n,
            "parent_prediction": None,
            "parent_annotation": None,
        }
        prediction = {
            "id": 200 + n,
            "model_version": "ner-gazetteer-v1",
            "created_ago": "3 hours",
            "result": result,
            "score": 0.87,
            "cluster": None,
            "neighbors": None,
            "mislabeling": 0.0,
            "created_at": "2024-04-20T09:00:00.000000Z",
            "updated_at": "2024-04-20T09:00:00.000000Z",
            "task": n,
        }
        tasks.append(
            {
                "id": n,
                "annotations": [] if as_predictions else [annotation],
                "file_upload": "seeds.json",
                "drafts": [],
                "predictions": [prediction] if as_predictions else [],
                "data": {style.text_key: text, "article_id": rec["article_id"]},
                "meta": {},
                "created_at": "2024-04-19T08:00:00.000000Z",
                "updated_at": "2024-04-20T10:05:00.000000Z",
                "inner_id": n,
                "total_annotations": 0 if as_predictions else 1,
                "cancelled_annotations": 0,
                "total_predictions": 1 if as_predictions else 0,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": 3,
                "updated_by": 1,
                "comment_authors": [],
            }
        )
    return tasks


def label_studio_json_min(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    """What ``Converter.convert_to_json_min`` writes for :func:`label_studio_json`'s tasks."""
    style = style or Style()
    out = []
    for task in label_studio_json(seeds, style):
        annotation = task["annotations"][0]
        record = dict(task["data"])
        record["id"] = task["id"]
        outputs: dict[str, list[dict[str, Any]]] = {}
        for r in annotation["result"]:
            if r.get("from_name") is None:
                continue  # relations have no from_name: the converter leaves them out
            value = dict(r["value"])
            value["type"] = {"labels": "Labels", "choices": "Choices"}[r["type"]]
            outputs.setdefault(r["from_name"], []).append(value)
        for name, values in outputs.items():
            record[name] = _prettify(values)
        record["annotator"] = annotation["completed_by"]
        record["annotation_id"] = annotation["id"]
        record["created_at"] = annotation["created_at"]
        record["updated_at"] = annotation["updated_at"]
        record["lead_time"] = annotation["lead_time"]
        out.append(record)
    return out


def _prettify(values: list[dict[str, Any]]) -> Any:
    """``label_studio_sdk.converter.utils.prettify_result``."""
    out = []
    tag_type = None
    for v in values:
        j = dict(v)
        tag_type = j.pop("type")
        if tag_type == "Choices" and len(j["choices"]) == 1:
            out.append(j["choices"][0])
        else:
            out.append(j)
    return out[0] if tag_type in ("Choices", "TextArea") and len(out) == 1 else out


NER_CONFIG_XML = """<View>
  <Labels name="{span}" toName="text">
    <Label value="Person" background="red"/>
    <Label value="Organization" background="darkorange"/>
    <Label value="Location" background="orange"/>
    <Label value="GPE"/><Label value="NORP"/><Label value="DATE"/><Label value="EVENT"/>
    <Label value="FAC"/><Label value="Quote"/>
  </Labels>
  <Relations>
    <Relation value="said_by"/>
    <Relation value="mentions"/>
  </Relations>
  <Text name="text" value="${key}"/>
  <Choices name="{genre}" toName="text" choice="single">
    <Choice value="news_report"/><Choice value="analysis"/><Choice value="aggregator_rewrite"/>
  </Choices>
  <Choices name="{form}" toName="text" choice="single">
    <Choice value="cased"/><Choice value="lowercased_tokenized"/>
  </Choices>
</View>
"""


def label_config_xml(style: Style) -> str:
    return NER_CONFIG_XML.format(
        span=style.span_control,
        key=style.text_key,
        genre=style.genre_control,
        form=style.form_control,
    )


# -- building -------------------------------------------------------------------------------
def write_export(path: Path, content: Any, *, jsonl: bool) -> Path:
    if jsonl:
        text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in content)
    else:
        text = json.dumps(content, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def use_annotations(seeds: Path, entry: dict[str, Any]) -> None:
    """Change only ``inputs.annotations`` of the copy's dataset.yaml (and drop the native file)."""
    (seeds / "annotations.jsonl").unlink(missing_ok=True)
    config = yaml.safe_load((seeds / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"]["annotations"] = [entry]
    (seeds / "dataset.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


def published_rows(build: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in sorted((build / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def write_tasks_with_raw(
    path: Path, tasks: list[dict[str, Any]], raw: dict[tuple[int, str], str]
) -> Path:
    """A JSON-MIN export with each (task index, key) set to raw JSON text (values a
    dict cannot hold as such: NaN, a duplicate key, a bare word)."""
    tasks = json.loads(json.dumps(tasks))
    for index, key in raw:
        tasks[index][key] = f"@@{index}.{key}@@"
    text = json.dumps(tasks, ensure_ascii=False, indent=2)
    for (index, key), value in raw.items():
        text = text.replace(f'"@@{index}.{key}@@"', value)
    path.write_text(text, encoding="utf-8")
    return path


# -- shapes the tools write that the stock projects above do not show --------------------
def doccano_collaborative(seeds: Path, style: Style | None = None) -> list[dict[str, Any]]:
    """A collaborative project's ``all.jsonl``: every member's spans in one ``label`` list,
    without the user (doccano ``backend/data_export/celery_tasks.py``,
    ``create_collaborative_dataset``; ``models.py`` ``ExportedSpan.to_tuple``; sorted by
    ``pipeline/formatters.py`` ``TupledSpanFormatter``). Two annotators marked every span;
    ``Comments`` holds the comments' texts (``ListedCategoryFormatter``)."""
    lines = doccano_sequence_labeling(seeds, style)
    for line in lines:
        line["label"] = sorted(line["label"] * 2)
        line["Comments"] = ["checked the speaker names"]
    return lines


def doccano_numeric_ids(lines: list[dict[str, Any]], ids: dict[str, Any]) -> list[dict[str, Any]]:
    """Lines whose ``article_id`` column was imported as a number: doccano spreads the
    example's meta with its JSON types (``backend/data_export/models.py``,
    ``ExportedExample.to_dict``) and writes through pandas (``pipeline/writers.py``,
    ``DataFrame.to_json``), which makes an integer column with a missing value floats."""
    return [{**line, "article_id": ids[line["article_id"]]} for line in lines]


def label_studio_file_reference(
    seeds: Path,
    style: Style | None = None,
    *,
    url: str = "s3://newsroom-corpus/articles/{}.txt",
    saved_text: bool = False,
) -> list[dict[str, Any]]:
    """Tasks imported from a source storage with "treat every bucket object as a source
    file" (label-studio ``io_storages/base_models.py``, ``ImportStorage``: the task's data
    key holds the object's URI, which the browser resolves and loads): ``data.text`` is
    the file's URL, and there is no ``article_id`` column; the spans count on the file.
    ``<Text valueType="url">`` stores no ``value.text`` by default (its ``saveTextResult``
    option, Label Studio's Text tag docs); ``saved_text`` keeps it (``saveTextResult="yes"``)."""
    tasks = label_studio_json(seeds, style)
    for task in tasks:
        article_id = task["data"].pop("article_id")
        task["data"][(style or Style()).text_key] = url.format(article_id)
        for r in task["annotations"][0]["result"]:
            if r.get("type") == "labels" and not saved_text:
                del r["value"]["text"]
    return tasks


def label_studio_per_region_choices(
    seeds: Path, style: Style | None = None
) -> list[dict[str, Any]]:
    """A ``<Choices name="salience" toName="text" perRegion="true">`` control (per-region
    labeling, label-studio-frontend 0.6.0): each choice is a result with the span's own
    ``id`` and the span's ``start``/``end``/``text`` in its ``value``, beside ``choices``.
    The choice is a genre name on purpose: it must not become the document's genre."""
    tasks = label_studio_json(seeds, style)
    for task in tasks:
        result = task["annotations"][0]["result"]
        for r in list(result):
            if r.get("type") == "labels":
                value = {k: r["value"][k] for k in ("start", "end", "text")}
                result.append(
                    {
                        "value": {**value, "choices": ["news_report"]},
                        "id": r["id"],
                        "from_name": "salience",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                    }
                )
    return tasks


def doccano_text_classification_csv(lines: list[dict[str, Any]]) -> str:
    """doccano's CSV export of a text classification project: pandas ``to_csv`` of ``id``,
    ``text``, the imported columns, ``label`` joined by ``#`` and ``Comments``
    (``backend/data_export/pipeline/factories.py`` ``JoinedCategoryFormatter``,
    ``writers.py`` ``CsvWriter``)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "text", "article_id", "label", "Comments"])
    for line in lines:
        labels = "#".join(sorted(line.get("cats", [])))
        writer.writerow([line["id"], line["text"], line["article_id"], labels, ""])
    return out.getvalue()


def label_studio_conll(tasks: list[dict[str, Any]]) -> str:
    """Label Studio's CONLL2003 export (``label_studio_converter/converter.py``,
    ``convert_to_conll2003``): ``-DOCSTART- -X- O``, then ``token -X- _ TAG`` lines."""
    rows = ["-DOCSTART- -X- O", ""]
    for task in tasks:
        for token in task["data"]["text"].split()[:50]:
            rows.append(f"{token} -X- _ O")
        rows.append("")
    return "\n".join(rows)


def doccano_seq2seq(seeds: Path) -> list[dict[str, Any]]:
    """A sequence-to-sequence project's export (``backend/data_export/models.py``
    ``ExportedExample`` with ``TextLabel``s; ``pipeline/labels.py`` ``Texts``): each
    line's ``label`` is the list of texts written for it (a summary here), the same key
    and list a text classification project fills with category names."""
    return [
        {
            "id": n,
            "text": seed_text(seeds, rec["article_id"]),
            "article_id": rec["article_id"],
            "label": [f"A summary of article {n}: officials said the talks would resume soon."],
            "Comments": [],
        }
        for n, rec in enumerate(seed_records(seeds), start=1)
    ]


def label_studio_json_min_with_unannotated(
    seeds: Path, unannotated: str, style: Style | None = None
) -> list[dict[str, Any]]:
    """JSON-MIN of an export that holds a task nobody annotated (the export's "all tasks",
    ``download_all_tasks``): label_studio_sdk's converter writes it as the task's data and
    ``id`` with ``annotator``, ``annotation_id``, ``created_at``, ``updated_at`` and
    ``lead_time`` null (``src/label_studio_sdk/converter/converter.py``,
    ``annotation_result_from_task``: ``if not annotations: yield Converter.get_data(task,
    {}, {})``; ``convert_to_json_min``; ``get_annotator`` of ``{}`` is None)."""
    records = label_studio_json_min(seeds, style)
    for n, record in enumerate(records):
        if record["article_id"] == unannotated:
            data = label_studio_json(seeds, style)[n]["data"]
            records[n] = {**data, "id": record["id"]} | dict.fromkeys(
                ("annotator", "annotation_id", "created_at", "updated_at", "lead_time")
            )
    return records


def label_studio_completions_dir(seeds: Path, folder: Path, style: Style | None = None) -> Path:
    """A Label Studio 0.x file-based project's ``completions`` folder (its target storage
    of type ``completions-dir``): one ``TASK_ID.json`` per annotated task, the task as
    imported (``id``, ``data``) with its annotations under ``completions``, each with the
    id ``task_id * 1000 + n`` and ``created_at`` a Unix time (``label_studio/project.py``,
    ``Project.save_completion``). The converter reads such a folder as tasks
    (``Converter.iter_from_dir``; ``completions`` where there is no ``annotations``)."""
    folder.mkdir()
    for task in label_studio_json(seeds, style):
        annotation = task["annotations"][0]
        completion = {
            "id": task["id"] * 1000 + 1,
            "lead_time": annotation["lead_time"],
            "result": annotation["result"],
            "created_at": 1713607200 + task["id"],
        }
        saved = {"id": task["id"], "data": task["data"], "completions": [completion]}
        (folder / f"{task['id']}.json").write_text(json.dumps(saved, indent=2), encoding="utf-8")
    return folder
