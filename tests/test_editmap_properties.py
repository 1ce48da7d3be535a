"""Properties of the edit map, for any text and any sequence of cleaning edits.

Whatever the steps do, the published edit log must rebuild the raw text
exactly, and every annotation span must land inside the clean text on the
characters it was made on (anchored), or on the edited region that replaced
them (moved), or be reported as removed.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.clean.edits import Edit, EditMap, RawEdit, apply_edits, map_span, rebuild_raw
from builder.clean.pipeline import Cleaner

ALPHABET = "ab \n\r\u00a0\t."
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def step_edits(draw: st.DrawFn, text: str) -> list[Edit]:
    """Non-overlapping edits of one step on ``text`` (insertions and deletions included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        replacement = draw(st.text(ALPHABET + "XY", max_size=4))
        edits.append(Edit(start, end, replacement, f"step.rule{len(edits)}"))
    return draw(st.permutations(edits))  # a step may report its edits in any order


def check_edit_log(raw: str, clean: str, edits: list[RawEdit]) -> None:
    """The log's invariants: each edit says what it replaced, and between edits
    the two texts are identical."""
    assert rebuild_raw(clean, edits) == raw
    assert rebuild_raw(clean, [e.as_dict() for e in edits]) == raw
    prev_raw = prev_clean = 0
    for e in edits:
        assert raw[e.raw_start : e.raw_end] == e.original
        assert clean[e.clean_start : e.clean_end] == e.replacement
        assert e.original != e.replacement, "an edit that changes nothing"
        assert prev_raw <= e.raw_start <= e.raw_end <= len(raw)
        assert prev_clean <= e.clean_start <= e.clean_end <= len(clean)
        assert raw[prev_raw : e.raw_start] == clean[prev_clean : e.clean_start]
        assert e.reason
        prev_raw, prev_clean = e.raw_end, e.clean_end
    assert raw[prev_raw:] == clean[prev_clean:]


def raw_end(emap: EditMap, pos: int) -> int:
    """Raw offset of a clean *end* offset.

    ``clean_to_raw`` maps a clean offset at the edge of a deletion past the
    deleted text (right for a start); an end belongs before it.
    """
    for e in emap.edits:
        if e.clean_start == pos:
            return e.raw_start
    return emap.clean_to_raw(pos)


def check_spans(raw: str, clean: str, emap: EditMap, spans: list[tuple[int, int]]) -> None:
    edits = emap.edits
    for start, end in spans:
        m = map_span(edits, start, end)
        assert 0 <= m.start <= m.end <= len(clean), (start, end, m)
        touched = [e for e in edits if e.raw_start < end and start < e.raw_end]
        if m.status == "anchored":
            assert not touched
            assert clean[m.start : m.end] == raw[start:end]
            assert emap.clean_to_raw(m.start) == start
            assert raw_end(emap, m.end) == end
        elif m.status == "moved":
            assert touched and m.start < m.end
            assert m.reasons and set(m.reasons) <= {e.reason for e in edits}
            # Back in the raw text, the moved span starts and ends within the region
            # made of the span and the edits it touches.
            lo = min([start, *(e.raw_start for e in touched)])
            hi = max([end, *(e.raw_end for e in touched)])
            assert lo <= emap.clean_to_raw(m.start) <= hi, (start, end, m)
            assert lo <= raw_end(emap, m.end) <= hi, (start, end, m)
            # The replacement of every edit wholly inside the span is inside it too.
            for e in touched:
                if start <= e.raw_start and e.raw_end <= end:
                    assert m.start <= e.clean_start <= e.clean_end <= m.end
        else:
            assert m.status == "removed" and m.start == m.end
            assert touched, "a span removed by no edit"


def all_spans(n: int) -> list[tuple[int, int]]:
    return [(s, e) for s in range(n) for e in range(s + 1, n + 1)]


@PROPERTY_SETTINGS
@given(raw=st.text(ALPHABET, max_size=24), data=st.data())
def test_any_sequence_of_steps_rebuilds_raw_and_maps_every_span(
    raw: str, data: st.DataObject
) -> None:
    emap = EditMap(raw)
    expected = raw
    for _ in range(data.draw(st.integers(1, 4), label="steps")):
        edits = data.draw(step_edits(emap.text), label="edits")
        expected = apply_edits(expected, sorted(edits, key=lambda e: (e.start, e.end)))
        emap.apply(edits)
        assert emap.text == expected
        check_edit_log(raw, emap.text, emap.edits)
    assert emap.rebuild_raw() == raw
    check_spans(raw, emap.text, emap, all_spans(len(raw)))


@PROPERTY_SETTINGS
@given(raw=st.text(ALPHABET, max_size=30), data=st.data())
def test_a_step_that_undoes_an_earlier_one_leaves_no_edit(raw: str, data: st.DataObject) -> None:
    emap = EditMap(raw)
    edits = data.draw(step_edits(raw))
    emap.apply(edits)
    inverse = [Edit(e.clean_start, e.clean_end, e.original, "undo") for e in emap.edits]
    emap.apply(inverse)
    assert emap.text == raw
    assert emap.edits == []


# -- the real cleaner -------------------------------------------------------------------------
WORDS = ["Israel", "Iran", "said", "the", "minister", "talks", "drones", "on", "Sunday.", "war"]
PIECES = [
    "Advertisement",
    "Share this article",
    "Sign up for our daily newsletter.",
    "Exit mobile version",
    "IsraelÃ¢â‚¬â„¢s",
    "donâ€™t",
    "israel ' s war",
    "\u00a0",
    "\u200b",
    "\t",
    "  ",
    "’",
    "Ã©",
]
LINE_ENDS = ["\n", "\r\n", "\r", "\n\n", "\n\n\n"]


@st.composite
def scraped_texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        tokens = draw(st.lists(st.sampled_from(WORDS + PIECES), min_size=1, max_size=8))
        line = " ".join(tokens) if draw(st.booleans()) else draw(st.sampled_from(PIECES))
        lines.append(line + draw(st.sampled_from(LINE_ENDS)))
    text = "".join(lines)
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.booleans()):
        text = draw(st.sampled_from(["  ", "\n", "\r\n "])) + text
    return text


CLEANER = Cleaner.default()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scraped_texts(), data=st.data())
def test_the_cleaner_always_rebuilds_raw_and_keeps_spans_in_place(
    raw: str, data: st.DataObject
) -> None:
    result = CLEANER.clean(raw)
    check_edit_log(raw, result.text, result.edits)
    assert "\r" not in result.text and "\ufeff" not in result.text
    emap = EditMap(raw)
    emap.text, emap._edits = result.text, list(result.edits)  # the published log, as a map
    starts = data.draw(st.lists(st.integers(0, max(0, len(raw) - 1)), max_size=25))
    spans = [(s, min(len(raw), s + data.draw(st.integers(1, 15)))) for s in starts if raw]
    check_spans(raw, result.text, emap, spans)


@PROPERTY_SETTINGS
@given(raw=st.text(ALPHABET, max_size=30), data=st.data())
def test_the_anchors_batch_shift_is_map_span_for_every_span_no_edit_touches(
    raw: str, data: st.DataObject
) -> None:
    """Anchoring maps the spans no edit touches by one searchsorted
    (``builder.anchor._shift_untouched``): for those the offsets are ``map_span``'s,
    and every span ``map_span`` does not simply shift is left to ``map_span``."""
    from builder.anchor import _shift_untouched

    emap = EditMap(raw)
    for _ in range(data.draw(st.integers(0, 3), label="steps")):
        emap.apply(data.draw(step_edits(emap.text), label="edits"))
    bounds = data.draw(
        st.lists(st.tuples(st.integers(0, len(raw)), st.integers(0, len(raw))), max_size=12)
    )
    starts = [min(a, b) for a, b in bounds]
    ends = [max(a, b) for a, b in bounds]
    new_starts, new_ends, touched = _shift_untouched(emap.edits, starts, ends)
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        mapped = map_span(emap.edits, start, end)
        if i not in touched:
            assert mapped.status == "anchored"
            assert (new_starts[i], new_ends[i]) == (mapped.start, mapped.end)
        elif start < end:
            assert mapped.status != "anchored"
