"""The batch's faster paths give what the plain ones give: card figures by numpy,
rows encoded a group at a time, an article file read in fewer system calls."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.article_inputs import ArticleInput
from builder.article_store import ArticleReader
from builder.ingest import read_article
from builder.row_figures import WORD, label_counts, word_counts

#: characters around RE2's idea of a space: its five, and others it does not count
_CHARS = st.sampled_from(list("ab é\t\n\f\r\v\x1c\x85\u00a0\u2003\u3000😀"))
_TEXTS = st.lists(st.one_of(st.none(), st.text(_CHARS, max_size=12)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(texts=_TEXTS, cut=st.integers(0, 12), large=st.booleans())
def test_word_counts_are_the_card_regex_counts(
    texts: list[str | None], cut: int, large: bool
) -> None:
    """``word_counts`` counts what ``count_substring_regex(WORD)`` counts, on sliced
    arrays, chunked arrays and both offset widths."""
    array = pa.array(texts, type=pa.large_string() if large else pa.string())
    for got in (array, array.slice(min(cut, len(array))), pa.chunked_array([array, array[:cut]])):
        assert word_counts(got) == pc.count_substring_regex(got, WORD).to_pylist()


def _label_counts_by_unique(entities: pa.Array, rows: int) -> list[dict[int, int]]:
    """The former way: ``np.unique`` over (row, label) pairs."""
    labels = pc.struct_field(pc.list_flatten(entities), "label")
    owners = pc.list_parent_indices(entities)
    present = pc.is_valid(labels)
    pairs, n = np.unique(
        np.stack(
            [
                pc.filter(owners, present).to_numpy().astype(np.int64),
                pc.filter(labels, present).to_numpy().astype(np.int64),
            ]
        ),
        axis=1,
        return_counts=True,
    )
    counts: list[dict[int, int]] = [{} for _ in range(rows)]
    for row, label, count in zip(*pairs.tolist(), n.tolist(), strict=True):
        counts[row][label] = count
    return counts


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(0, 6)), max_size=8)),
        max_size=10,
    )
)
def test_label_counts_are_those_of_the_unique_pairs(rows: list[list[int | None] | None]) -> None:
    """Per row {label: n}, in the same key order (pickled bytes are compared)."""
    kind = pa.list_(pa.struct([("label", pa.int64())]))
    entities = pa.array([None if r is None else [{"label": x} for x in r] for r in rows], type=kind)
    got = label_counts(entities, len(rows))
    want = _label_counts_by_unique(entities, len(rows))
    assert [pickle.dumps(c) for c in got] == [pickle.dumps(c) for c in want]


def test_rows_encoded_a_group_at_a_time_build_the_same_dataset(
    seed_build: Path, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of one row: the seeds' build is byte-identical to the one of whole groups."""
    from builder import process
    from builder.pipeline import build

    monkeypatch.setattr(process, "ENCODE_GROUP", 1)
    again = tmp_path / "again"
    build(seeds_dir, again)
    first = {
        p.relative_to(seed_build): p.read_bytes() for p in seed_build.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs"


def test_the_short_read_gives_what_read_article_gives(tmp_path: Path) -> None:
    """Every kind of entry in the articles folder: the reader's answer (article or
    located issues) is ``read_article``'s."""
    folder = tmp_path / "articles"
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("a token\n")
    (folder / "plain.txt").write_text("Some text.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "big.txt").write_text("x" * 200)
    (folder / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (folder / "nul.txt").write_bytes(b"a\x00b")
    (folder / "sub.txt").mkdir()
    (folder / "inside.txt").symlink_to(folder / "plain.txt")
    (folder / "outside.txt").symlink_to(outside)
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.txt")
    ids = [*(p.name[:-4] for p in sorted(folder.iterdir())), "missing", "two words"]
    reader = ArticleReader(ArticleInput(root=tmp_path, folder=folder), None, max_bytes=100)
    for article_id in ids:
        path = Path(os.path.join(folder, f"{article_id}.txt"))
        got = reader.read(article_id, path)
        want = read_article(article_id, path, root=folder, max_bytes=100)
        assert got == want, article_id
    assert reader.read("plain", folder / "plain.txt")[0] is not None
