"""A limit configured huge (``limits.max_article_bytes`` of a terabyte, or 2**63 - 1)
is a limit never reached, not an allocation: reading "at most the limit" asked the
stream for the whole limit at once, which a buffered or gzip reader allocates first
(a MemoryError, or an OverflowError past the index size, on a page of 50 bytes)."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from corpus_helpers import make_corpus
from test_hardening import assert_clean_failure

from builder.compressed_inputs import READ_CHUNK, read_at_most

TERABYTE = 2**40
#: the address space a child may use: far less than the limit it is given
ADDRESS_SPACE = 3 * 2**30


class _Recording(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


@pytest.mark.parametrize("size", [0, 5, READ_CHUNK, 3 * READ_CHUNK + 7])
def test_read_at_most_asks_a_chunk_at_a_time(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    for limit in (TERABYTE, size + 1, size, max(size - 1, 0)):
        stream = _Recording(data)
        assert read_at_most(stream, limit) == data[:limit]
        assert all(0 < asked <= READ_CHUNK for asked in stream.asked)


def _limited_child(code: str, tmp_path: Path, child_env) -> subprocess.CompletedProcess[str]:
    """``code`` run in a child whose address space is :data:`ADDRESS_SPACE`."""
    script = "import resource\n"
    script += f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))\n"
    script += textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=child_env(None),
    )


def test_a_page_is_read_and_decompressed_under_a_terabyte_limit(tmp_path: Path, child_env) -> None:
    page = b"<html><body><p>Hello there, world.</p></body></html>"
    (tmp_path / "p.html").write_bytes(page)
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(page))
    result = _limited_child(
        f"""
        from pathlib import Path
        from builder.page_bytes import decompressed_page
        from builder.web_inputs import read_page

        html, _ = read_page(Path("."), "p.html", "html", None, limit={TERABYTE} + 1)
        unzipped = decompressed_page(Path("p.html.gz").read_bytes(), {TERABYTE})
        print(len(html), len(unzipped))
        """,
        tmp_path,
        child_env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(page))] * 2


@pytest.mark.parametrize("limit", [TERABYTE, 2**63 - 1])
def test_clean_reads_an_article_under_a_huge_configured_limit(
    tmp_path: Path, child_env, limit: int
) -> None:
    corpus = make_corpus(tmp_path / "in", config={"limits": {"max_article_bytes": limit}})
    page = tmp_path / "page.txt"
    page.write_text("Officials said the talks would resume next week.\n", encoding="utf-8")
    result = _limited_child(
        f"""
        import sys
        from builder.cli import main
        sys.argv = ["builder", "clean", "--config", {str(corpus.root)!r}, {str(page)!r}]
        main()
        """,
        tmp_path,
        child_env,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stdout.startswith("Officials said the talks")


def test_clean_still_refuses_standard_input_over_the_limit(tmp_path: Path, run_cli) -> None:
    corpus = make_corpus(tmp_path / "in", config={"limits": {"max_article_bytes": 10}})
    result = run_cli("clean", "--config", str(corpus.root), stdin="y" * (3 * READ_CHUNK))
    assert_clean_failure(result, 1, "<stdin>: more than 10 bytes")
