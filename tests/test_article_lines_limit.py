"""``limits.max_article_lines``: an article of very many short lines is refused, named,
before the cleaner holds objects for each of its lines (some 250 bytes a line of
"x\\n": a 16 MB text took gigabytes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hardening import assert_clean_failure

from builder.errors import DataError

LIMIT = 500


def _with_limit(seeds_copy: Path, limit: int | None) -> None:
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    old = "limits:\n  max_article_bytes: 10000000\n"
    assert old in text
    extra = f"  max_article_lines: {limit}\n" if limit is not None else ""
    config.write_text(text.replace(old, old + extra), encoding="utf-8")


def _lengthen(seeds_copy: Path, lines: str) -> str:
    article = sorted((seeds_copy / "articles").glob("*.txt"))[2]
    with article.open("a", encoding="utf-8", newline="") as f:
        f.write(lines)
    return article.name


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n"])
def test_an_article_of_more_lines_than_the_limit_is_refused_by_name(
    seeds_copy: Path, tmp_path: Path, ending: str
) -> None:
    from builder.pipeline import build

    _with_limit(seeds_copy, LIMIT)
    name = _lengthen(seeds_copy, f"x{ending}" * LIMIT)
    with pytest.raises(DataError) as failed:
        build(seeds_copy, tmp_path / "out")
    (issue,) = [i for i in failed.value.report.issues if i.severity == "error"]
    assert (issue.file, issue.record, issue.rule) == (name, Path(name).stem, "size-limit")
    assert f"over the limit of {LIMIT} (limits.max_article_lines" in issue.message


def test_an_article_within_the_limit_is_cleaned(seeds_copy: Path, tmp_path: Path) -> None:
    from builder.pipeline import build

    _with_limit(seeds_copy, LIMIT)
    _lengthen(seeds_copy, "x\n" * (LIMIT // 2))
    result = build(seeds_copy, tmp_path / "out")
    assert result.stats.stages["written"] == 5


def test_the_default_limit_refuses_a_text_of_a_million_short_lines(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from builder.config import DEFAULT_MAX_ARTICLE_LINES, load_config
    from builder.process import _too_many_lines

    assert load_config(seeds_copy).max_article_lines == DEFAULT_MAX_ARTICLE_LINES == 100_000
    assert _too_many_lines("x\n" * 99_999, DEFAULT_MAX_ARTICLE_LINES) is None
    assert _too_many_lines("x\n" * 100_000, DEFAULT_MAX_ARTICLE_LINES)
    assert _too_many_lines("a b\n" * 1_000_000, DEFAULT_MAX_ARTICLE_LINES)


def test_a_build_over_the_limit_fails_without_a_traceback(seeds_copy: Path, run_cli) -> None:
    _with_limit(seeds_copy, LIMIT)
    name = _lengthen(seeds_copy, "a b\n" * LIMIT)
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(seeds_copy.parent / "out"))
    assert_clean_failure(result, 1, name, "limits.max_article_lines")


def test_a_limit_that_is_no_count_is_refused_at_its_setting(seeds_copy: Path) -> None:
    from builder.config import load_config

    _with_limit(seeds_copy, 0)
    with pytest.raises(DataError) as failed:
        load_config(seeds_copy)
    pointers = [i.pointer for i in failed.value.report.issues]
    assert pointers == ["/limits/max_article_lines"]
