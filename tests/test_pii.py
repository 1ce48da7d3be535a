"""The personal-data scan: what it finds, what it must not find, and what a build does with it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from corpus_helpers import article_id, article_text, make_corpus
from typer.testing import CliRunner

from builder.cli import app
from builder.pii import (
    _PREFILTERS,
    PRIVACY_KINDS,
    PrivacyScanner,
    PrivacySummary,
    _every_char,
    _re2_class,
    _re2_prefilters,
    scan_column,
    scan_texts,
)
from builder.publish.preflight import PublishError, check_privacy

PERSONAL = {
    "email": ["jane.doe@example.com", "press+tips@news-desk.co.uk"],
    "phone": ["+1 202-555-0143", "(202) 555-0143", "+44 20 7946 0958", "020 7946 0958"],
    "iban": ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"],
    "credit_card": ["4111 1111 1111 1111", "5500-0000-0000-0004"],
    "ip_address": ["192.168.1.20", "2001:db8::1"],
}

NEWS_NUMBERS = (
    "On 13-14 April 2024 Iran launched more than 300 drones and missiles; 99% were intercepted. "
    "Benjamin Netanyahu and Joe Biden spoke at 10:30 on Sunday. The budget is $1,000,000,000 "
    "and 2,500 troops; the score was 4-1 in the 2023/24 season. ISBN 978-3-16-148410-0, "
    "version 1.2.3, flight LY 315, population 9,800,000, page 12-15, 1948-1967, 0.5 percent."
)


@pytest.mark.parametrize(("kind", "value"), [(k, v) for k, vs in PERSONAL.items() for v in vs])
def test_each_kind_is_found_at_its_place_and_masked(kind: str, value: str) -> None:
    text = f"The document said: {value}. Nothing else."
    findings = PrivacyScanner().scan(text)
    assert [f.kind for f in findings] == [kind]
    f = findings[0]
    assert text[f.start : f.end] == value
    assert value not in f.masked and len(f.masked) < len(value)


def test_ordinary_news_numbers_and_public_names_are_not_findings() -> None:
    assert PrivacyScanner().scan(NEWS_NUMBERS) == []


def test_invalid_numbers_are_not_findings() -> None:
    text = (
        "Card 4111 1111 1111 1112 fails Luhn; IBAN GB00 WEST 1234 5698 7654 32 fails its check; "
        "address 999.10.10.10 is not an IP; localhost 127.0.0.1 is nobody's."
    )
    assert PrivacyScanner().scan(text) == []


def test_kinds_regions_and_allow_list_are_honoured() -> None:
    text = "Call 020 7946 0958 or mail desk@paper.example or tips@paper.example."
    assert {f.kind for f in PrivacyScanner(kinds=("email",)).scan(text)} == {"email"}
    assert [f.kind for f in PrivacyScanner(phone_regions=("US",)).scan(text)] == ["email", "email"]
    allowed = PrivacyScanner(allow=frozenset({"tips@paper.example"})).scan(text)
    assert [text[f.start : f.end] for f in allowed] == ["020 7946 0958", "desk@paper.example"]


def test_summary_counts_articles_and_kinds_and_skips_withheld_texts() -> None:
    scanner = PrivacyScanner()
    summary = scan_texts(
        scanner,
        [("a", "mail a@b.example and c@d.example"), ("b", NEWS_NUMBERS), ("c", None)],
    )
    assert summary.scanned == 2 and summary.articles_with_findings == 1
    assert summary.counts == {"email": 2}
    other = PrivacySummary()
    other.add("d", scanner.scan("+44 20 7946 0958"))
    summary.merge(other)
    assert summary.to_dict()["findings"] == {
        k: int(k in ("email", "phone")) * (2 if k == "email" else 1) for k in PRIVACY_KINDS
    }
    assert summary.total == 3


# Digits and white space beyond ASCII, which Python's \\d and \\s match and RE2's do not.
EXOTIC = "tel \u0663\u0664\u0665\u2007\u0666\u0667\u0668\u0669 and \u0661\u0662.\u0663.\u0664\u0665.\u0666"


def test_re2_classes_are_pythons_digit_and_space_classes() -> None:
    chars = pa.array(list(_every_char()))
    for python in (r"\d", r"\s"):
        expected = [re.fullmatch(python, c) is not None for c in chars.to_pylist()]
        got = pc.match_substring_regex(chars, f"^[{_re2_class(python)}]$").to_pylist()
        assert got == expected, python


def test_re2_prefilters_match_where_the_python_prefilters_match() -> None:
    """Per kind and pattern, on every code point's neighbourhood and on sample texts."""
    samples = [
        NEWS_NUMBERS,
        EXOTIC,
        "",
        "IBAN GB82\u00a0WEST and GB\u0668\u0669",
        "a:b: c::d 1.2.3.4 mail x@y",
        "4111\u20021111 1111 1111",
        "no digits at all",
        *(f"x {v} y" for vs in PERSONAL.values() for v in vs),
    ]
    every = _every_char()
    chunks = [every[i : i + 4096] for i in range(0, len(every), 4096)]
    column = pa.array(samples + chunks)
    for kind, patterns in _PREFILTERS.items():
        for python, re2 in zip(patterns, _re2_prefilters()[kind], strict=True):
            expected = [python.search(t) is not None for t in samples + chunks]
            assert pc.match_substring_regex(column, re2).to_pylist() == expected, python.pattern


def test_column_scan_is_the_scan_of_each_text() -> None:
    texts = [
        NEWS_NUMBERS,
        None,
        "Write to jane.doe@example.com today.",
        EXOTIC,
        *(f"The document said: {v}." for vs in PERSONAL.values() for v in vs),
        "Nothing personal here.",
    ]
    ids = [f"a{i}" for i in range(len(texts))]
    for scanner in (PrivacyScanner(), PrivacyScanner(kinds=("email", "iban"))):
        got = scan_column(scanner, ids, pa.chunked_array([texts[:3], texts[3:]]))
        want = scan_texts(scanner, zip(ids, texts, strict=True))
        assert (got.to_dict(), got.examples) == (want.to_dict(), want.examples)


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _leaky(i: int) -> str:
    """Personal data inside the body (a line of its own could be cleaned away as boilerplate)."""
    text = article_text(i)
    leak = {
        1: "The leaked memo lists john.smith@example.com and +44 20 7946 0958 for the families.",
        2: "The memo asks for money to the account DE89370400440532013000 by Friday.",
    }.get(i)
    return text.replace("\n\n", f"\n\n{leak} ", 1) if leak else text


@pytest.mark.parametrize("block", [False, True])
def test_build_counts_findings_in_report_card_and_manifest(tmp_path: Path, block: bool) -> None:
    corpus = make_corpus(
        tmp_path / "in", 4, text=_leaky, config={"privacy": {"block_publish_on_findings": block}}
    )
    out = tmp_path / "out"
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    privacy = manifest["privacy"]
    assert privacy["scan"] is True
    assert privacy["scanned_articles"] == 4 and privacy["articles_with_findings"] == 2
    assert privacy["findings"] == {
        "email": 1,
        "phone": 1,
        "iban": 1,
        "credit_card": 0,
        "ip_address": 0,
    }
    assert privacy["total_findings"] == 3
    assert privacy["block_publish_on_findings"] is block
    assert privacy["publish_blocked"] is block
    assert json.loads(result.stdout)["privacy"] == privacy
    # The publish step reads this block and refuses a blocked build.
    if block:
        with pytest.raises(PublishError, match="privacy scan found 3 finding"):
            check_privacy(manifest)
    else:
        check_privacy(manifest)

    report = json.loads((out / "build_report.json").read_text())
    assert report["privacy"] == privacy
    found = [i for i in report["issues"] if i["rule"].startswith("privacy.")]
    assert {(i["rule"], i["record"], i["pointer"]) for i in found} == {
        ("privacy.email", article_id(1), "/text"),
        ("privacy.phone", article_id(1), "/text"),
        ("privacy.iban", article_id(2), "/text"),
    }
    assert all(i["severity"] == "warning" for i in found)
    assert any(i["rule"] == "privacy" for i in report["issues"]) is block

    card = (out / "README.md").read_text()
    assert "found 3 finding(s) in 2 of 4 article(s): email: 1, phone: 1, iban: 1" in card
    everything = card + json.dumps(report) + json.dumps(manifest)
    for secret in ("john.smith@example.com", "+44 20 7946 0958", "DE89370400440532013000"):
        assert secret not in everything, "a finding was repeated in the clear"


def test_scan_can_be_turned_off(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path / "in",
        3,
        text=_leaky,
        config={"privacy": {"scan": False, "block_publish_on_findings": True}},
    )
    out = tmp_path / "out"
    assert _invoke("build", "-i", str(corpus.root), "-o", str(out)).exit_code == 0
    privacy = json.loads((out / "manifest.json").read_text())["privacy"]
    assert privacy["scan"] is False and privacy["total_findings"] == 0
    assert privacy["publish_blocked"] is False
    assert "No automatic scan for personal data was run." in (out / "README.md").read_text()


def test_withheld_texts_are_not_scanned(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", 3, text=_leaky, write=False)
    for rec in corpus.sources:
        rec["rights"]["publish_full_text"] = False
    corpus.write()
    out = tmp_path / "out"
    assert _invoke("build", "-i", str(corpus.root), "-o", str(out)).exit_code == 0
    privacy = json.loads((out / "manifest.json").read_text())["privacy"]
    assert privacy["scanned_articles"] == 0 and privacy["total_findings"] == 0


def test_the_seed_articles_have_no_findings(seed_build: Path) -> None:
    privacy = json.loads((seed_build / "manifest.json").read_text())["privacy"]
    assert privacy["scanned_articles"] > 0
    assert privacy["total_findings"] == 0


def test_prefilters_change_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The prefilters only skip work: with every detector run on every text, the
    findings are the same."""
    import re

    import builder.pii as pii

    values = [v for vs in PERSONAL.values() for v in vs]
    texts = values + [f"Reach me at {v}, or at the desk." for v in values] + [NEWS_NUMBERS]
    texts += [
        "In 2024 there were 1,234,567 votes (up 3.2%) on 12/03/2024.",
        "Host fe80::1 and 10.0.0.1; ref AB12 CD34; tel (555) 010-9999 x12.",
        "The score was 3:2:1 at 08:15:30 and 12:00.",
    ]
    scanner = PrivacyScanner()
    with_prefilters = [scanner.scan(t) for t in texts]
    everything = re.compile("")
    monkeypatch.setattr(pii, "_DIGIT_RUN", everything)
    monkeypatch.setattr(pii, "_PREFILTERS", {k: (everything,) for k in pii._PREFILTERS})
    assert [scanner.scan(t) for t in texts] == with_prefilters
    assert any(with_prefilters)
