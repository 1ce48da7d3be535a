"""The learned cut at the page's end (builder/clean/tail_model.py, issue 11): a residue the
rules leave under the article goes, with the model's score in the reason; the article's
own closing lines stay; the model file is the one the code reads."""

from __future__ import annotations

import json
import re

import pytest

from builder.clean import tail_features, tail_model
from builder.clean.chars import cased_line_words
from builder.clean.pipeline import Cleaner, _count_words
from builder.clean.steps import DocumentContext
from builder.clean.tail_features import (
    FEATURES,
    LAZY_FEATURES,
    PAGE_FEATURES,
    splits_a_list,
    tail_candidates,
)
from builder.clean.tail_model import MODEL_PATH, TailModel, load_model
from eval.bank import tokenize_lower

CLEANER = Cleaner.build()

_TOPICS = ("orchard", "cider", "frost", "hedgerow", "pruning", "grafting", "pollen", "blossom")


def _article() -> str:
    """A regional paper's report: a headline and eight paragraphs, no furniture."""
    paras = [
        f"Growers in the Wye valley say the {t} season of {2010 + i} taught them more than any "
        f"course, and the {t} figures kept by the cooperative show why. Their records list "
        f"{i + 4} farms that changed how they work, and {i + 2} that tried and went back."
        for i, t in enumerate(_TOPICS)
    ]
    return "Valley growers count the cost of a late spring\n\n" + "\n\n".join(paras)


def _forms(text: str) -> list[str]:
    return [text, tokenize_lower(text)]


def _model_reasons(text: str) -> list[str]:
    return [e.reason for e in CLEANER.clean(text).edits if "tail_model" in e.reason]


@pytest.mark.parametrize("form", [0, 1], ids=["cased", "lowercased-tokenized"])
@pytest.mark.parametrize(
    "tail",
    [
        # a blog's pager goes by rule, the neighbouring post's title under it (left by
        # the rules) by the model
        "Older posts\nA guide to pruning old pear trees",
        "Older posts\nHow we grafted forty apple trees in a weekend",
    ],
)
def test_residue_under_the_article_goes_with_the_models_score(tail: str, form: int) -> None:
    text = _forms(_article() + "\n\n" + tail + "\n")[form]
    result = CLEANER.clean(text)
    title = tail.split("\n")[1].lower()
    assert title[:20] not in result.text.lower()
    reasons = _model_reasons(text)
    assert reasons and all("tail_model.cut(p=0." in r for r in reasons)
    assert result.text.rstrip().endswith(_forms(_article())[form].rstrip()[-40:])


@pytest.mark.parametrize("form", [0, 1], ids=["cased", "lowercased-tokenized"])
def test_the_articles_own_closing_lines_stay(form: int) -> None:
    closing = (
        "What the valley does next depends on the weather, the cooperative's chair said.\n\n"
        "“We will plant again in March, as we always have.”"
    )
    text = _forms(_article() + "\n\n" + closing + "\n")[form]
    assert _model_reasons(text) == []
    assert "plant again in march" in CLEANER.clean(text).text.lower()


@pytest.mark.parametrize("form", [0, 1], ids=["cased", "lowercased-tokenized"])
def test_a_closing_lists_last_item_stays(form: int) -> None:
    """A cut never starts inside a list (a line and the one above both short items): the
    article's closing checklist keeps its last item."""
    closing = "Before the first frost, check three things:\n\nLadders\n\nSecateurs\n\nNets"
    text = _forms(_article() + "\n\n" + closing + "\n")[form]
    assert _model_reasons(text) == []
    assert CLEANER.clean(text).text.lower().endswith("nets")
    item = tail_features._Stats(1, ["nets"], 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert splits_a_list(item, item._replace(words=["secateurs"]))
    assert not splits_a_list(item, item._replace(colon=1.0))  # the list's lead line above
    # a heading under a bulleted list is not its item: a cut may start there
    assert not splits_a_list(item, item._replace(bullet=1.0))


def test_a_short_page_is_not_read() -> None:
    assert _model_reasons("One line.\nTwo lines.\n") == []
    assert tail_candidates("One line.\n\nTwo.\n", None, 0.95).rows == []


def test_candidates_are_only_the_pages_last_lines() -> None:
    text = _article() + "\n\nRead more\nContent provided by Wye Valley Growers Trust\n"
    found = tail_candidates(text, None, 0.95)
    starts = [found.lines[k].start for k in found.at]
    assert starts and min(starts) >= 0.95 * len(text)
    assert all(len(row) == len(FEATURES) for row in found.rows)


def test_the_rules_removed_words_are_known_to_the_step() -> None:
    """The cleaner tells a step how many words earlier steps removed between two offsets."""
    seen: list[int] = []

    class Probe(TailModel):
        def find_edits(self, text: str, ctx: DocumentContext) -> list:  # type: ignore[type-arg]
            assert ctx.removed_words is not None
            seen.append(ctx.removed_words(0, len(text)))
            return []

    cleaner = Cleaner.build()
    cleaner.steps = [Probe() if isinstance(s, TailModel) else s for s in cleaner.steps]
    ctx = DocumentContext()
    cleaner.clean(_article() + "\n\nShare on Facebook\nShare on X\n", ctx)
    assert seen and seen[0] >= 6  # the two share lines
    assert ctx.removed_words is None  # not kept past the text


def test_the_shipped_model_matches_the_code() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES
    model = load_model()
    assert 0.5 < model.threshold < 1 and 0.5 < model.min_position < 1
    # the held-out figures it was kept on are in the file, every half gaining
    assert all(row["f1_x1e4"] > 0 for row in data["held_out_by_site"].values())


def test_a_model_for_other_features_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="features"):
        load_model(path)


# -- what keeps the step cheap (issue 11's CPU budget): each leaves the cuts as they were


def _pages() -> list[str]:
    """Pages of several ends, both forms: residues the model cuts and closings it keeps."""
    ends = [
        "Older posts\nA guide to pruning old pear trees",
        "What the valley does next depends on the weather.\n\nWe will plant again in March.",
        "Tags: orchard, cider\nShare this\nLeave a comment\nYour email will not be published.",
        "Posted by Ann Reed\n14 comments\nI loved this, thank you!\nMe too, great read.",
        "",
    ]
    pages = [_article() + "\n\n" + end + "\n" for end in ends]
    return [form for page in pages for form in _forms(page)]


class _Counting(TailModel):
    """The tail model, its candidates kept (``lazy``: as shipped; else every row read whole)."""

    def __init__(self, lazy: bool) -> None:
        super().__init__()
        self.lazy = lazy
        self.found: list[tail_features.TailCandidates] = []

    def find_edits(self, text: str, ctx: DocumentContext) -> list:  # type: ignore[type-arg]
        model = load_model()
        needed = model.may_cut if self.lazy else None
        self.found.append(tail_candidates(text, ctx.removed_words, model.min_position, needed))
        return super().find_edits(text, ctx)


def _with_step(step: TailModel) -> Cleaner:
    cleaner = Cleaner.build()
    cleaner.steps = [step if isinstance(s, TailModel) else s for s in cleaner.steps]
    return cleaner


def test_page_features_are_read_only_when_a_row_could_reach_the_threshold() -> None:
    lazy, full = _Counting(lazy=True), _Counting(lazy=False)
    for page in _pages():
        _with_step(lazy).clean(page)
        _with_step(full).clean(page)
    model = load_model()
    read = [f.page_read for f in lazy.found]
    assert any(read) and not all(read)  # some pages read for them, others not
    for lazy_found, full_found in zip(lazy.found, full.found, strict=True):
        best = max(map(model.score, full_found.rows), default=0.0)
        if not lazy_found.page_read:
            # the bound held: read whole, no row of that page reaches the threshold
            assert best < model.threshold
            for row in lazy_found.rows:
                assert all(row[FEATURES.index(name)] == 0.0 for name in PAGE_FEATURES)
            # the first candidate's line above: read with the page, 0 until then
            first = lazy_found.rows[0] if lazy_found.rows else None
            assert first is None or all(first[FEATURES.index(f)] == 0.0 for f in LAZY_FEATURES)
        else:
            assert lazy_found.rows == full_found.rows


def test_the_bound_covers_a_page_feature_of_positive_weight() -> None:
    """A page feature whose weight is positive and unbounded makes every page read."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = load_model()
    weights = list(model.weights)
    weights[FEATURES.index("rest_len_ratio")] = abs(weights[FEATURES.index("rest_len_ratio")])
    positive = tail_model.Model(
        model.mean, model.scale, tuple(weights), model.bias, model.threshold, model.min_position
    )
    found = tail_candidates(_pages()[2], None, data["min_position"], positive.may_cut)
    assert found.rows and found.page_read


def test_a_page_whose_last_line_starts_above_the_end_is_not_read() -> None:
    text = _article() + "\n"  # the last paragraph starts well above the last 5%
    found = tail_candidates(text, None, 0.95)
    assert found.lines == [] and found.rows == []


def test_a_long_lines_features_are_read_in_its_opening() -> None:
    """A paragraph's shares come from its first characters; its words are counted from
    them by length (not listed whole)."""
    opening = "The cooperative kept records of every farm in the valley for years. "
    line = opening * 4 + "You and I and we and our readers " * 120  # person words far in
    stats = tail_features._line_stats(line, tail_features._Line(0, len(line), len(line)))
    assert stats.person == 0.0  # not seen: past the opening
    assert len(stats.words) < 60
    paragraph = opening * 40
    stats = tail_features._line_stats(
        paragraph, tail_features._Line(0, len(paragraph), len(paragraph))
    )
    true_count = len(re.findall(r"\w+", paragraph))
    assert abs(stats.n - true_count) / true_count < 0.05


def test_a_link_anywhere_in_the_line_counts() -> None:
    line = "x " * 300 + "see www.example.org"
    stats = tail_features._line_stats(line, tail_features._Line(0, len(line), len(line)))
    assert stats.link == 1.0


def test_gaps_are_counted_only_where_the_rules_changed_the_pages_end() -> None:
    asked: list[tuple[int, int]] = []

    class Unchanged:
        def __call__(self, start: int, end: int) -> int:
            asked.append((start, end))
            return 0

        def changed(self, start: int, end: int) -> bool:
            return False

    text = _article() + "\n\nShare this\nLeave a comment\nYour email is safe.\n"
    tail_candidates(text, Unchanged(), 0.95)
    assert asked == []  # one "changed?" for the window, no count per gap

    class Changed(Unchanged):
        def changed(self, start: int, end: int) -> bool:
            return True

    tail_candidates(text, Changed(), 0.95)
    assert len(asked) >= 3


@pytest.mark.parametrize(
    "line", ["Share this: Facebook, X_2", "don’t “quote” — me", "café İstanbul straße", ""]
)
def test_cased_line_words_are_the_regexs(line: str) -> None:
    assert cased_line_words(line) == re.findall(r"\w+", line)


def test_removed_words_are_counted_in_numpy_past_a_few_hundred_characters() -> None:
    span = "Comment by reader " * 300 + "café"
    assert _count_words(span) == len(re.findall(r"\w+", span))
    assert _count_words("two words") == 2
