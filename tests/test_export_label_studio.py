"""`builder export label-studio`: the build's spans as Label Studio predictions, and back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from builder.atomic_files import UMASK
from builder.errors import UsageError
from builder.export import export_label_studio


def _published(build: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in sorted((build / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def _spans(row: dict[str, Any]) -> list[tuple]:
    """A row's spans, with each quote's speaker as the offsets of its entity (ids may change)."""
    where = {e["id"]: (e["start"], e["end"]) for e in row["entities"]}
    return sorted(
        [(e["start"], e["end"], e["text"], e["label"]) for e in row["entities"]]
        + [
            (q["start"], q["end"], q["text"], "QUOTE", where.get(q["speaker_id"]))
            for q in row["quotes"]
        ]
    )


def _as_reviewed(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks as Label Studio's JSON export writes them once each prediction was accepted."""
    reviewed = []
    for n, task in enumerate(tasks, start=1):
        (prediction,) = task["predictions"]
        reviewed.append(
            {
                "id": n,
                "data": task["data"],
                "annotations": [
                    {
                        "id": 1000 + n,
                        "completed_by": 1,
                        "result": prediction["result"],
                        "was_cancelled": False,
                        "ground_truth": False,
                        "created_at": "2026-01-05T10:00:00.000000Z",
                        "updated_at": "2026-01-05T10:00:00.000000Z",
                        "lead_time": 12.5,
                        "prediction": {"model_version": prediction["model_version"]},
                        "task": n,
                    }
                ],
                "predictions": [{**prediction, "id": n, "task": n}],
                "meta": {},
                "project": 1,
            }
        )
    return reviewed


def test_tasks_hold_the_cleaned_text_and_every_span(seed_build: Path, tmp_path: Path) -> None:
    summary = export_label_studio(seed_build, tmp_path / "tasks.json")
    rows = _published(seed_build)
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert (summary.tasks, summary.entities, summary.quotes) == (5, 557, 30)
    # readable like any file written by open() (mkstemp's 0600 hid it from teammates)
    assert (tmp_path / "tasks.json").stat().st_mode & 0o777 == 0o666 & ~UMASK
    assert {t["data"]["article_id"] for t in tasks} == rows.keys()
    names = json.loads((seed_build / "manifest.json").read_text())["features"]
    entity_names = names["entities"]["feature"]["label"]["names"]
    for task in tasks:
        row = rows[task["data"]["article_id"]]
        assert task["data"]["text"] == row["text"]
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == "israel-iran-april-2024-news 1.0.0"
        by_type: dict[str, list] = {}
        for item in prediction["result"]:
            by_type.setdefault(item["type"], []).append(item)
        spans = {r["id"]: r["value"] for r in by_type["labels"]}
        for e in row["entities"]:
            value = spans[e["id"]]
            assert (value["start"], value["end"]) == (e["start"], e["end"])
            assert value["text"] == row["text"][e["start"] : e["end"]]
            assert value["labels"] == [entity_names[e["label"]]]
        assert len(spans) == len(row["entities"]) + len(row["quotes"])
        speakers = {(r["from_id"], r["to_id"]) for r in by_type.get("relation", [])}
        assert speakers == {(q["id"], q["speaker_id"]) for q in row["quotes"] if q["speaker_id"]}
        (genre,) = [c for c in by_type["choices"] if c["from_name"] == "genre"]
        assert genre["value"]["choices"] == [names["genre"]["names"][row["genre"]]]


def test_the_labeling_config_names_every_label_and_control(
    seed_build: Path, tmp_path: Path
) -> None:
    summary = export_label_studio(seed_build, tmp_path / "review" / "tasks.json")
    assert summary.config_path == tmp_path / "review" / "tasks.label-config.xml"
    view = ET.fromstring(summary.config_path.read_text(encoding="utf-8"))
    labels = view.find("Labels")
    assert labels is not None and labels.get("name") == "label" and labels.get("toName") == "text"
    assert [x.get("value") for x in labels] == [
        "PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT", "FAC", "LOC", "QUOTE"
    ]  # fmt: skip
    text = view.find("Text")
    assert text is not None and text.get("value") == "$text"
    choices = {c.get("name"): [x.get("value") for x in c] for c in view.iter("Choices")}
    assert choices["genre"] == ["news_report", "analysis", "aggregator_rewrite"]
    assert [r.get("value") for r in view.iter("Relation")] == ["speaker"]


def _rebuild(seeds: Path, reviewed: list[dict[str, Any]], out: Path) -> dict[str, dict[str, Any]]:
    """Build ``seeds`` with ``reviewed`` (a Label Studio export) as its only annotations."""
    from builder.pipeline import build

    (seeds / "reviewed.json").write_text(json.dumps(reviewed, ensure_ascii=False), encoding="utf-8")
    (seeds / "annotations.jsonl").unlink()
    config = yaml.safe_load((seeds / "dataset.yaml").read_text())
    config["inputs"]["annotations"] = [{"path": "reviewed.json", "format": "label-studio"}]
    (seeds / "dataset.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    assert build(seeds, out).ok
    return _published(out)


def test_reviewed_tasks_import_back_as_the_same_spans(
    seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    before = _published(seed_build)
    # Cleaning changed some texts: their spans come back through re-anchoring, not as given.
    assert any(r["text_sha256"] != r["raw_sha256"] for r in before.values())
    export_label_studio(seed_build, tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    after = _rebuild(seeds_copy, _as_reviewed(tasks), tmp_path / "rebuilt")
    assert before.keys() == after.keys()
    assert sum(len(r["entities"]) for r in after.values()) == 557
    assert sum(len(r["quotes"]) for r in after.values()) == 30
    for article_id, row in before.items():
        assert after[article_id]["text"] == row["text"]
        assert _spans(after[article_id]) == _spans(row), article_id
        assert (after[article_id]["genre"], after[article_id]["text_form"]) == (
            row["genre"],
            row["text_form"],
        )


def test_a_reviewers_corrections_come_back(
    seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    before = _published(seed_build)
    # The article cleaning changed most: its spans must be re-anchored onto the raw text.
    article_id = max(before, key=lambda k: len(before[k]["edits"]))
    row = before[article_id]
    export_label_studio(seed_build, tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    reviewed = _as_reviewed(tasks)
    (task,) = [t for t in reviewed if t["data"]["article_id"] == article_id]
    result = task["annotations"][0]["result"]
    speakers = {q["speaker_id"] for q in row["quotes"]}
    removed, relabelled = [e for e in row["entities"] if e["id"] not in speakers][:2]
    result[:] = [r for r in result if r.get("id") != removed["id"]]
    for r in result:
        if r.get("id") == relabelled["id"]:
            r["value"]["labels"] = ["EVENT" if r["value"]["labels"] != ["EVENT"] else "LOC"]
    text = row["text"]
    taken = [(s["start"], s["end"]) for s in row["entities"] + row["quotes"]]
    start = next(
        i
        for i in range(len(text) - 8)
        if text[i].isalpha() and not any(a <= i + 8 and i <= b for a, b in taken)
    )
    result.append(
        {
            "id": "added",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": start + 8, "text": text[start : start + 8],
                      "labels": ["ORG"]},
        }
    )  # fmt: skip
    after = _rebuild(seeds_copy, reviewed, tmp_path / "rebuilt")[article_id]
    entities = {(e["start"], e["end"]): e for e in after["entities"]}
    assert (removed["start"], removed["end"]) not in entities
    assert entities[(relabelled["start"], relabelled["end"])]["label"] != relabelled["label"]
    added = entities[(start, start + 8)]
    assert added["text"] == text[start : start + 8]
    assert len(after["entities"]) == len(row["entities"])


def test_withheld_texts_are_listed_not_exported(seed_build: Path, tmp_path: Path) -> None:
    import shutil

    import pyarrow as pa

    build = tmp_path / "build"
    shutil.copytree(seed_build, build)
    path = build / "data" / "test-00000-of-00001.parquet"
    table = pq.read_table(path)
    (withheld,) = table.column("id").to_pylist()
    column = table.schema.get_field_index("text")
    table = table.set_column(column, "text", pa.nulls(len(table), pa.string()))
    pq.write_table(table, path)
    summary = export_label_studio(build, tmp_path / "tasks.json")
    assert (summary.withheld, summary.withheld_ids, summary.tasks) == (1, [withheld], 4)
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert withheld not in {t["data"]["article_id"] for t in tasks}


def test_not_a_build_folder_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a build folder"):
        export_label_studio(tmp_path, tmp_path / "out" / "tasks.json")
    assert not (tmp_path / "out").exists()


def test_the_command_writes_tasks_and_config_and_reports_bad_builds(
    run_cli, seed_build: Path, tmp_path: Path
) -> None:
    out = tmp_path / "review" / "tasks.json"
    result = run_cli(
        "export", "label-studio", "--build", str(seed_build), "--out", str(out), "--json"
    )
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["tasks"], summary["entities"], summary["quotes"]) == (5, 557, 30)
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 5
    assert Path(summary["config_path"]).is_file()
    missing = run_cli("export", "label-studio", "--build", str(tmp_path / "nowhere"))
    assert missing.code == 2 and "not a build folder" in missing.stderr
    assert "Traceback" not in missing.stderr
