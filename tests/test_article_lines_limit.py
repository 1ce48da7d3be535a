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
    from builder.ingest import over_line_limit

    assert load_config(seeds_copy).max_article_lines == DEFAULT_MAX_ARTICLE_LINES == 100_000
    assert over_line_limit("x\n" * 99_999, DEFAULT_MAX_ARTICLE_LINES) is None
    assert over_line_limit("x\n" * 100_000, DEFAULT_MAX_ARTICLE_LINES)
    assert over_line_limit("a b\n" * 1_000_000, DEFAULT_MAX_ARTICLE_LINES)


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


# -- builder clean: the same limit, the same message --------------------------------


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n"])
def test_clean_refuses_a_file_over_the_default_limit_by_name(
    tmp_path: Path, run_cli, ending: str
) -> None:
    from builder.config import DEFAULT_MAX_ARTICLE_LINES

    page = tmp_path / "page.txt"
    page.write_bytes(f"x{ending}".encode() * DEFAULT_MAX_ARTICLE_LINES)
    result = run_cli("clean", str(page))
    assert_clean_failure(
        result,
        1,
        f"{page}: the text has {DEFAULT_MAX_ARTICLE_LINES + 1} lines, over the limit of "
        f"{DEFAULT_MAX_ARTICLE_LINES} (limits.max_article_lines",
        "it is not cleaned",
        "--config DIR",
    )
    assert result.stdout == ""


def test_clean_applies_the_configurations_limit_to_standard_input(
    seeds_copy: Path, run_cli
) -> None:
    _with_limit(seeds_copy, LIMIT)
    over = run_cli("clean", "--config", str(seeds_copy), stdin="a b\n" * LIMIT)
    assert_clean_failure(over, 1, "<stdin>: the text has", f"over the limit of {LIMIT} (")
    assert "--config DIR" not in over.stderr  # the configuration's limit, not the default
    within = run_cli("clean", "--config", str(seeds_copy), stdin="Hello there.\n" * (LIMIT - 1))
    assert within.code == 0, within.stderr
    assert within.stdout.startswith("Hello there.")


def test_clean_and_build_refuse_with_the_same_message(seeds_copy: Path, run_cli) -> None:
    from builder.config import load_config
    from builder.ingest import over_line_limit

    _with_limit(seeds_copy, LIMIT)
    name = _lengthen(seeds_copy, "x\n" * LIMIT)
    article = seeds_copy / "articles" / name
    text = article.read_text(encoding="utf-8")
    why = over_line_limit(text, load_config(seeds_copy).max_article_lines)
    assert why
    cleaned = run_cli("clean", "--config", str(seeds_copy), str(article))
    assert_clean_failure(cleaned, 1, f"{article}: {why}")
    built = run_cli("build", "-i", str(seeds_copy), "-o", str(seeds_copy.parent / "out"))
    assert_clean_failure(built, 1, name, why)
