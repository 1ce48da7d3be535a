"""Quarantine mode: invalid records are set aside with their reasons, and every
record read is accounted for (read = published + rejected, per source and in total)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from corpus_helpers import Corpus, article_id, make_corpus
from typer.testing import CliRunner

from builder.card import md_escape
from builder.cli import app


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


A = {i: article_id(i) for i in range(12)}
PNG = bytes.fromhex("89504e470d0a1a0a") + bytes(range(256))


def _mixed_corpus(root: Path, **config: Any) -> Corpus:
    """Twelve articles, eight of them broken in a different way each."""
    c = make_corpus(root, 12, config=config, write=False)
    c.files[f"articles/{A[1]}.txt"] = PNG  # binary article
    del c.texts[A[1]]
    c.annotation(A[2])["entities"][0]["text"] = "Zqxwvy"  # span text found nowhere
    c.sources[c.line_of("sources.jsonl", A[3]) - 1] = f'{{"article_id": "{A[3]}", "publisher": '
    c.annotations[c.line_of("annotations.jsonl", A[4]) - 1] = "{not json at all"  # no id in it
    c.annotations.append(dict(c.annotation(A[5])))  # a second annotation record
    c.sources.append({**c.source(A[6]), "article_id": "no-such-article"})  # orphan line
    c.sources[c.line_of("sources.jsonl", A[7]) - 1] = ""  # no source record
    c.source(A[8])["published"]["earliest"] = "2024-13-45"  # schema error in the source
    return c.write()


REJECTED_ARTICLES = {A[1], A[2], A[3], A[5], A[7], A[8]}
PUBLISHED = {A[0], A[4], A[6], A[9], A[10], A[11]}


def _rejects(out: Path) -> list[dict[str, Any]]:
    lines = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("quarantine")
    corpus = _mixed_corpus(root / "in")
    out = root / "out"
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out), "--quarantine", "--json")
    assert result.exit_code == 0, result.stderr
    return corpus, out, json.loads(result.stdout)


def test_every_article_read_is_published_or_rejected(
    quarantined: tuple[Corpus, Path, dict[str, Any]],
) -> None:
    corpus, out, summary = quarantined
    acc = summary["accounting"]
    assert acc["mode"] == "quarantine"
    articles = acc["articles"]
    files = list((corpus.root / "articles").glob("*.txt"))
    assert articles["read"] == len(files) == 12
    assert articles["read"] == articles["published"] + articles["rejected"]
    assert articles["rejected"] == len(REJECTED_ARTICLES)
    for publisher, c in articles["per_source"].items():
        assert c["read"] == c["published"] + c["rejected"], publisher
    per_source_total = Counter()
    for c in articles["per_source"].values():
        per_source_total.update(c)
    assert per_source_total["read"] == articles["read"]
    assert per_source_total["published"] == articles["published"]
    assert per_source_total["rejected"] == articles["rejected"]

    rows = [r for p in (out / "data").glob("*.parquet") for r in pq.read_table(p).to_pylist()]
    assert {r["id"] for r in rows} == PUBLISHED
    assert len(rows) == articles["published"]
    report = json.loads((out / "build_report.json").read_text())
    assert report["accounting"] == acc


def test_every_side_record_line_is_used_or_rejected(
    quarantined: tuple[Corpus, Path, dict[str, Any]],
) -> None:
    corpus, out, summary = quarantined
    side = summary["accounting"]["side_records"]
    for name in ("sources.jsonl", "annotations.jsonl"):
        non_blank = [ln for ln in (corpus.root / name).read_bytes().splitlines() if ln.strip()]
        assert side[name]["read"] == len(non_blank)
        assert side[name]["read"] == side[name]["accepted"] + side[name]["rejected"]
    lines = [r for r in _rejects(out) if r["kind"].endswith("-line")]
    by_file = Counter(r["file"] for r in lines)
    assert by_file == {n: side[n]["rejected"] for n in side if side[n]["rejected"]}


def test_rejects_file_lists_each_record_with_located_reasons(
    quarantined: tuple[Corpus, Path, dict[str, Any]],
) -> None:
    corpus, out, _ = quarantined
    rejects = _rejects(out)
    articles = {r["id"]: r for r in rejects if r["kind"] == "article"}
    assert set(articles) == REJECTED_ARTICLES
    for entry in rejects:
        assert entry["reasons"], entry
        for reason in entry["reasons"]:
            assert reason["severity"] == "error" and reason["rule"] and reason["file"]
    rules = {aid: {r["rule"] for r in e["reasons"]} for aid, e in articles.items()}
    assert "nul-byte" in rules[A[1]]
    assert "span-text" in rules[A[2]]
    assert "rejected-source" in rules[A[3]]
    assert "rejected-annotation" in rules[A[5]]
    assert "missing-source" in rules[A[7]]
    assert "rejected-source" in rules[A[8]]
    span = next(r for r in articles[A[2]]["reasons"] if r["rule"] == "span-text")
    assert span["file"] == "annotations.jsonl"
    assert span["line"] == corpus.line_of("annotations.jsonl", A[2])
    assert span["pointer"] == "/entities/0/text"

    lines = {(r["file"], r["line"]): r for r in rejects if r["kind"].endswith("-line")}
    broken_source = lines[("sources.jsonl", corpus.line_of("sources.jsonl", A[3]))]
    assert broken_source["id"] == A[3]
    assert broken_source["reasons"][0]["rule"] == "json-syntax"
    # A broken line that names no article is still listed; its article is kept,
    # published without annotations, and says so.
    unnamed = lines[("annotations.jsonl", 5)]  # A[4]'s line: the fifth record
    assert unnamed["id"] is None and unnamed["reasons"][0]["rule"] == "json-syntax"
    duplicate = lines[("annotations.jsonl", corpus.lines_of("annotations.jsonl", A[5])[1])]
    assert duplicate["reasons"][0]["rule"] == "unique-id"
    orphan = lines[("sources.jsonl", corpus.line_of("sources.jsonl", "no-such-article"))]
    assert orphan["reasons"][0]["rule"] == "unknown-article"
    date = lines[("sources.jsonl", corpus.line_of("sources.jsonl", A[8]))]
    assert date["reasons"][0]["pointer"] == "/published/earliest"


def test_quarantined_errors_stay_in_the_report_as_warnings(
    quarantined: tuple[Corpus, Path, dict[str, Any]],
) -> None:
    _, out, summary = quarantined
    report = json.loads((out / "build_report.json").read_text())
    assert report["valid"] is True and report["error_count"] == 0
    quarantined_issues = [i for i in report["issues"] if i["message"].startswith("quarantined: ")]
    assert {i["rule"] for i in quarantined_issues} >= {"nul-byte", "span-text", "json-syntax"}
    assert all(i["severity"] == "warning" for i in quarantined_issues)
    assert any(i["rule"] == "no-annotations" and i["record"] == A[4] for i in report["issues"])
    assert summary["report"] == {k: report[k] for k in summary["report"]}


def test_manifest_and_card_show_the_counts(
    quarantined: tuple[Corpus, Path, dict[str, Any]],
) -> None:
    _, out, summary = quarantined
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["quarantine"] == {
        "enabled": True,
        "rejected_articles": len(REJECTED_ARTICLES),
        "rejected_lines": sum(
            c["rejected"] for c in summary["accounting"]["side_records"].values()
        ),
        "rejects_file": "rejects.jsonl",
    }
    assert "rejects.jsonl" in {o["path"] for o in manifest["outputs"]}
    assert manifest["counts"]["read"] == 12 and manifest["counts"]["rejected"] == 6
    card = (out / "README.md").read_text()
    assert "6 published of 12 read (6 rejected)" in card
    assert re.search(r"\*\*Quarantine:\*\*.* 6 article\(s\) and \d+ side-record line", card)
    for publisher, c in summary["accounting"]["articles"]["per_source"].items():
        row = f"| {md_escape(publisher)} | {c['read']} | {c['published']} | {c['rejected']} |"
        assert row in card, row


def test_strict_mode_fails_the_same_corpus_and_validate_stays_strict(tmp_path: Path) -> None:
    corpus = _mixed_corpus(tmp_path / "in", quarantine={"enabled": True})
    out = tmp_path / "out"
    strict = _invoke("build", "-i", str(corpus.root), "-o", str(out), "--strict", "--json")
    assert strict.exit_code == 1
    assert not out.exists()
    errors = [i for i in json.loads(strict.stdout)["report"]["issues"] if i["severity"] == "error"]
    assert {i["record"] for i in errors} >= REJECTED_ARTICLES - {A[7]}
    checked = _invoke("validate", "-i", str(corpus.root), "--json")
    assert checked.exit_code == 1
    # The configuration turns quarantine on: no flag needed.
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert len(_rejects(out)) >= len(REJECTED_ARTICLES)


def test_quarantine_does_not_absorb_configuration_or_missing_files(tmp_path: Path) -> None:
    corpus = _mixed_corpus(tmp_path / "in", colour="red")
    result = _invoke(
        "build", "-i", str(corpus.root), "-o", str(tmp_path / "o1"), "--quarantine", "--json"
    )
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["report"]["issues"]
    assert [(i["rule"], i["file"]) for i in issues] == [("additionalProperties", "dataset.yaml")]
    corpus = _mixed_corpus(tmp_path / "in2")
    (corpus.root / "sources.jsonl").unlink()
    result = _invoke(
        "build", "-i", str(corpus.root), "-o", str(tmp_path / "o2"), "--quarantine", "--json"
    )
    assert result.exit_code == 1
    rules = {
        i["rule"] for i in json.loads(result.stdout)["report"]["issues"] if i["severity"] == "error"
    }
    assert rules == {"missing-file"}
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_quarantine_fails_when_nothing_or_too_much_is_left(tmp_path: Path) -> None:
    corpus = _mixed_corpus(tmp_path / "in", quarantine={"max_rejected_fraction": 0.25})
    result = _invoke(
        "build", "-i", str(corpus.root), "-o", str(tmp_path / "o1"), "--quarantine", "--json"
    )
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["report"]["issues"]
    limit = [i for i in issues if i["rule"] == "quarantine-limit"]
    assert limit and limit[0]["pointer"] == "/quarantine/max_rejected_fraction"

    corpus = make_corpus(tmp_path / "in2", 3, write=False)
    for aid in list(corpus.texts):
        corpus.files[f"articles/{aid}.txt"] = b""
    corpus.write()
    result = _invoke(
        "build", "-i", str(corpus.root), "-o", str(tmp_path / "o2"), "--quarantine", "--json"
    )
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["report"]["issues"]
    assert [i["rule"] for i in issues if i["severity"] == "error"] == ["empty-dataset"]
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_quarantine_with_worker_processes_gives_the_same_result(
    tmp_path: Path, quarantined: tuple[Corpus, Path, dict[str, Any]]
) -> None:
    corpus, out, summary = quarantined
    import shutil

    copy = tmp_path / "in"
    shutil.copytree(corpus.root, copy)
    cfg = (copy / "dataset.yaml").read_text().replace("batch_size: 64", "batch_size: 3")
    (copy / "dataset.yaml").write_text(cfg)
    out2 = tmp_path / "out"
    result = _invoke("build", "-i", str(copy), "-o", str(out2), "--quarantine", "-j", "2", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["accounting"] == summary["accounting"]
    assert sorted(map(json.dumps, _rejects(out2))) == sorted(map(json.dumps, _rejects(out)))
