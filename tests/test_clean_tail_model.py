"""The learned cut at the page's end (builder/clean/tail_model.py, issue 11): a residue the
rules leave under the article goes, with the model's score in the reason; the article's
own closing lines stay; the model file is the one the code reads."""

from __future__ import annotations

import json

import pytest

from builder.clean.pipeline import Cleaner
from builder.clean.steps import DocumentContext
from builder.clean.tail_model import FEATURES, MODEL_PATH, TailModel, load_model, tail_candidates
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
        "Previous post\nA guide to pruning old pear trees",
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
