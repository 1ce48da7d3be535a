"""Alt text written all in lowercase between a cased page's lines
(``builder.clean.alt_text``, reason ``captions.lowercase_alt``).

The pages are written for these tests in the style of small sites (a garden centre's
blog, a hiking-gear review, a dentist's advice page, a self-hosting how-to), not copied
from any development page. In cased text the alt line goes and the article stays byte
for byte; lowercased-tokenized text has no capitals to read, so there the page is left
as it is (the article kept). Lowercase article lines (commands, a wrapped paragraph, an
enumerated subheading, a sentence) stay.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.alt_text import lowercase_alt, may_be_lowercase_alt
from builder.clean.captions import ImageCaptions
from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner
from builder.clean.steps import DocumentContext

P1 = (
    "Tomatoes planted out too early sulk for weeks, so we wait until the nights stay above "
    "ten degrees before the young plants leave the greenhouse."
)
P2 = (
    "Each plant gets a deep hole, a handful of compost and a stout cane, and the lowest "
    "leaves are pinched off so that nothing touches the soil."
)
P3 = (
    "Water at the base in the morning rather than over the leaves at night, which keeps "
    "blight away for most of the summer."
)

ALT_LINES = [
    "tomato seedlings in pots garden centre spring planting guide",
    "hiking boots drying by a campfire best waterproof boots",
    "dental floss picks on a bathroom shelf oral hygiene tips",
    "home server rack in a closet self hosting setup",
    "cherry tomatoes ripening on the vine",
    "clematis montana flowering on a fence in a Yorkshire garden",  # a name keeps its capital
]


@pytest.mark.parametrize("line", ALT_LINES)
def test_lowercase_alt_text_between_paragraphs_goes(line: str) -> None:
    page = f"{P1}\n\n{line}\n\n{P2}\n\n{P3}"
    result = Cleaner.default().clean(page)
    assert result.text == f"{P1}\n\n{P2}\n\n{P3}"
    assert any("captions.lowercase_alt" in e.reason for e in result.edits), result.edits
    assert rebuild_raw(result.text, result.edits) == page


def test_alt_text_under_a_short_heading_goes() -> None:
    page = f"{P1}\n\nPlanting Out\ntomato plants staked with bamboo canes\n{P2}\n\n{P3}"
    result = Cleaner.default().clean(page)
    assert "tomato plants staked" not in result.text
    assert "Planting Out" in result.text and P2 in result.text


@pytest.mark.parametrize("line", ALT_LINES)
def test_lowercased_pages_are_left_as_they_are(line: str) -> None:
    page = tokenized(f"{P1}\n\n{line}\n\n{P2}\n\n{P3}")
    assert ImageCaptions().find_edits(page, DocumentContext()) == []
    assert tokenized(line) in Cleaner.default().clean(page).text


#: (line above, the lowercase line, line below): article text that stays.
NEAR_MISSES = [
    ("First, install the resolver:", "sudo apt install unbound", "Then restart it."),
    ("# Fetch the latest changes", "git pull origin main", "Now rebase."),
    ("Pull the model:", "ollama pull qwen2.5 coder", "It takes a while."),
    (
        "From the car park the trail climbs through old beech woods and",
        "then drops steeply to the lake below",
        "Bring poles for the descent.",
    ),
    (
        "Most customers ask about flossing first.",
        "floss once a day, ideally at night",
        "Brushing comes second.",
    ),
    ("Why the rack matters.", "b. cooling and noise in a small closet", "Fans are loud."),
    ("Our verdict.", "just buy the cheaper pair and re-proof them yearly.", "Happy hiking!"),
    ("Our verdict.", "the boots held up on every trail", "- light"),
    ("Our verdict.", "eBike Buying Guide for Steep Hills", "Start with the motor."),
    ("Our verdict.", "kubectl vs Docker Compose Deployments", "Start small."),
]


@pytest.mark.parametrize(("above", "line", "below"), NEAR_MISSES)
def test_lowercase_article_lines_stay(above: str, line: str, below: str) -> None:
    page = f"{P1}\n\n{above}\n{line}\n{below}\n\n{P2}"
    assert ImageCaptions().find_edits(page, DocumentContext()) == []


def test_the_shape_reads_the_line_and_its_neighbours() -> None:
    assert may_be_lowercase_alt("tomato seedlings in pots")
    assert not may_be_lowercase_alt("Tomato seedlings in pots")  # a capital
    assert not may_be_lowercase_alt("seedlings")  # one word
    assert not may_be_lowercase_alt("tomato seedlings in pots.")  # a sentence's end
    assert lowercase_alt("tomato seedlings in pots", "Sow in March.", "Prick them out.")
    assert not lowercase_alt("tomato seedlings in pots", None, "Prick them out.")
    assert not lowercase_alt("tomato seedlings in pots", "Sow in March.", "prick them out.")
    assert not lowercase_alt("tomato seedlings in pots", "Sow them in small pots,", "Later.")
