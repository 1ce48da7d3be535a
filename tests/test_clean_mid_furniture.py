"""Page furniture the extractor leaves between an article's paragraphs (issue 11).

The pages are written for these tests in the style of small sites (a removals firm's
guide, a photo course's page, a garden centre's blog), not copied from any development
page. Each furniture line goes with its rule's reason between paragraphs, cased and
lowercased-tokenized, and the article stays byte for byte; a near miss (a real line of the
same shape: a compound word alone on a line, a sentence with a number to call) stays.
Alt text that describes a scene with a subject of any word is taken in cased text only:
lowercased, it cannot be told from a subheading ("edge computing in 2025").
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.captions import ImageCaptions
from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner
from builder.clean.steps import DocumentContext

P1 = (
    "Moving a whole house in one day is possible, but only if the boxes are packed and "
    "labelled the week before and the van is booked early."
)
P2 = (
    "Most firms quote by the cubic foot, so a walk through every room with a tape measure "
    "saves an argument on the day the lorry arrives."
)
P3 = (
    "Keep the kettle, the mugs and the phone chargers in one box that travels with you, "
    "not in the back of the van."
)

#: reason -> furniture lines of the kind the families take.
FURNITURE: dict[str, list[str]] = {
    # An image's file name left where its alt text would be.
    "boilerplate.photo_credit": [
        "removals-van-loading-2048x1365",
        "Garden-Centre-Spring-Banner-Final",
        "course-timeline-panel-v2",
        "footer-icon-map-pin",
        # A caption or citation naming its rights holder after the copyright sign.
        "Removal day on Elm Street, Leeds | © 2021 Dana Kim",
        "Untitled (Boxes), 1994. Gelatin silver print. © Rui Ma; courtesy the artist",
        # Where a shop's picture came from, as a sentence of its own (issue 11).
        "Image provided by Acme Outdoors.",
        "Photos supplied by the venue",
    ],
    # A call button with its number.
    "boilerplate.navigation": [
        "Request a Free Quote (415) 555-0134",
        "Get Quote (877) 555-0190",
        "Call Us Today: 1-888-555-0147",
        "Call now (312) 555-0175",
        # A vendor's buttons and their small print, and links drawn as buttons with an
        # arrow (issue 11: on sites of both halves of the development hosts).
        "Book Your Free Consultation!",
        "Request a Personalised Quote",
        "See Our Pricing Plans",
        "Try Larkspur Free",
        "7-day free trial. No credit card required.",
        "Request More Information ›",
        "View Our Case Studies",
        "Create Your Free Account",
        "Download the Checklist >",
        "Browse All Recipes ›",
        # What a mailing's template says over it, on the page of its archive (issue 11).
        "Is this email not displaying properly? View it in your browser.",
        "View this email in your browser",
        "Having trouble reading this newsletter? Open the web version",
        # A widget's instructions to the visitor: a search box's, a chart's (issue 11).
        "Begin typing to search...",
        "Enter your search keywords",
        "Tap to interact",
        "Click here to auto scroll",
    ],
    # A vendor's hook question run into its button (issue 11).
    "boilerplate.promo_call": ["Need a bigger van? Learn More ›", "Still deciding? Get Started"],
    # A shop's price buttons, alone or run together (issue 11).
    "boilerplate.shop_button": [
        "$129 Now $99 at Argos",
        "$45 at Target$52 at Kohls",
        "Check Price - Currys",
        "Check prices (800) 555-0123",
        "Check Prices Visit Website",
        # A gear page's shop buttons, one per cut.
        "Shop the Men's Trail Glove 7Shop the Women's Trail Glove 7",
        "Shop Women's Rain Shells",
        "Shop Kids' Boots",
    ],
    # Meta labels whose value the extractor left out (issue 11).
    "boilerplate.reading_time": ["Estimated reading time:", "Estimated read time"],
    "boilerplate.dateline": ["Last modified 12 May 2023 by", "Updated by"],
    # How the site's advertising pays for it, in its own voice (issue 11).
    "boilerplate.affiliate_disclosure": [
        "Harbor Health is a non-profit community hospital. Advertising on our site helps "
        "support our mission. We do not endorse non-Harbor Health products or services.",
        "Ads on this site help us keep the archive free.",
        "We do not endorse third-party products.",
    ],
    # A link pointed at by an emoji, a teaser's words after it (issue 11).
    "boilerplate.related_links": [
        "👉 Learn more about soil testing from Acme Labs.",
        "➡️ Read more about caching:",
        "👉 See the full schedule and register here.",
    ],
    # An author's bio between the article's parts, told by a career's words (issue 11).
    "boilerplate.author_bio_career": [
        "Priya Raman is a staff writer for the Valley Courier who covers housing and transport.",
        "Tomás Ruiz has been a freelance food journalist since 2011 and is a regular "
        "contributor to Larder and Kitchen Table, where he writes a weekly column on bread.",
        "Ana Lee is the Garden Editor at Greenway. She holds a degree in horticulture, and "
        "her work has appeared in three national magazines.",
        "Sam Okoro is an experienced video producer. His expertise is in drone footage and "
        "live events.",
    ],
}

#: Lines of article text with these shapes, which stay.
NEAR_MISSES = [
    "Step-by-step",  # a compound of the language, not a file name
    "State-of-the-art",
    "Face-to-face",
    "2024-03-18",  # a date: no word in it
    "415-555-0134",  # a bare number: the gold keeps a firm's contact lines
    "Call 311 to report a blocked drain.",  # a sentence, no ten-digit number
    "Get a quote from three firms before you book.",
    "Call (415) 555-0134 and ask for the packing team, who will bring the boxes.",
    "Wi-Fi",  # two parts only
    "Writers put the © symbol on every page they publish.",  # a sentence about the sign
    # Near misses of a vendor's buttons: a bulleted step, advice, a list item with an
    # arrow in sentence case, code with angle brackets, a sentence about free trials.
    "- Get a free estimate",
    "Try yoga before breakfast for a week.",
    "Export drafts from older notebooks →",
    "git clone <repo url>",
    "Free trials are common, and no credit card is required for most of them.",
    "Need a bigger van? Most firms hire them out by the day.",
    "Why does the price change? Learn more about the fees in the next section.",
    # Near misses of a mailing's template lines: sentences about emails and browsers.
    "This email was not displayed to the board until March.",
    "View the archive in your browser to see every issue since 2019.",
    # Near misses of a widget's instructions: how-to sentences with the same words.
    "Type to search the index, then press Enter to open the first match.",
    "Tap to interact with the map on a phone; on a laptop, use the arrows.",
    # Near misses of a shop's price buttons: sentences about prices.
    "Check the price list before you order.",
    "$99 at most shops is still too much for a kettle, the survey found.",
    "Shop the men's racks first; the women's sizes sell out by noon.",
    "Buy the kids' boots a size up.",
    "Photos supplied by readers show the flood reaching the second step.",
    "Advertising on our site fell by a third last year.",
    "We do not endorse any candidate in the mayoral race.",
    # Near misses of the meta labels: sentences with their words.
    "Estimated reading time goes up with every chart we add.",
    "Last modified in 2023 by the council, the plan still lists the old depot.",
    # Near misses of a bio: a news line on a journalist, the article's list of people, a
    # profile's sentence with no bio's words.
    "Evan Marsh is a reporter for the Daily Ledger who was detained at the border in March.",
    "- Dana Kim is a contributor who covers schools for the Courier.",
    "Mara Olsen is a photographer who has lived by the river for 30 years.",
    # Near misses of an emoji-pointed link: tips marked with emoji.
    "👉 Check the weather before you go.",
    "📌 Pro tip: read the label twice.",
    "👉 Try the oat version first",
]


def _page(line: str) -> tuple[str, str]:
    return f"{P1}\n\n{line}\n\n{P2}\n\n{P3}", f"{P1}\n\n{P2}\n\n{P3}"


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    ("reason", "line"), [(r, line) for r, lines in FURNITURE.items() for line in lines]
)
def test_furniture_between_paragraphs_goes_and_the_article_stays(
    reason: str, line: str, lowercased: bool
) -> None:
    page, article = _page(line)
    if lowercased:
        page, article = tokenized(page), tokenized(article)
    result = Cleaner.default().clean(page)
    assert result.text == article, line
    assert any(reason in e.reason for e in result.edits), (line, [e.reason for e in result.edits])
    assert rebuild_raw(result.text, result.edits) == page


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("line", NEAR_MISSES)
def test_article_lines_shaped_like_the_furniture_stay(line: str, lowercased: bool) -> None:
    page, _ = _page(line)
    if lowercased:
        page = tokenized(page)
    assert Cleaner.default().clean(page).text == page, line


#: Alt text naming its subject with any word, then what it does (cased text).
OPEN_SCENES = [
    "Videographer shooting in a garden setting",
    "Removal men carrying a sofa down the stairs",
    "Sourdough loaf cooling on a wire rack.",
    "Glasses resting on top of an open notebook",
]

#: Headings and sentences of that shape, which stay.
OPEN_SCENE_NEAR_MISSES = [
    "Putting machine learning to work",  # opens with the "-ing" word: a heading
    "Consider calling in a professional packer",  # a verb taking a gerund
    "Quotes starting at $90 an hour",  # a clause's "-ing" word
    "This shows pricing to match the volume",  # a demonstrative and its verb
    "Packing Tips for Moving Day",  # title case: a subheading
    "Crews working in pairs, the job takes a morning.",  # a comma: a sentence's clause
    "Before and after cleaning with the new brush",  # a gerund after a preposition
    "Movers are carrying the sofa down the stairs.",  # a finite verb
    "Most tenants preferred hiring a van for the day",  # a verb in "-ed" before it
]


@pytest.mark.parametrize("line", OPEN_SCENES)
def test_alt_text_with_any_subject_goes_in_cased_text(line: str) -> None:
    page, article = _page(line)
    result = Cleaner.default().clean(page)
    assert result.text == article, line
    assert any("captions.scene" in e.reason for e in result.edits)
    # Lowercased, the same line could be a subheading: it stays.
    assert Cleaner.default().clean(tokenized(page)).text == tokenized(page)


@pytest.mark.parametrize("line", OPEN_SCENE_NEAR_MISSES)
def test_lines_shaped_like_open_scenes_stay(line: str) -> None:
    page, _ = _page(line)
    assert ImageCaptions().find_edits(page, DocumentContext()) == [], line


def test_an_open_scene_is_read_within_one_line() -> None:
    # "Testing" at a line's end and "An" opening the next are no participle and determiner.
    page = f"{P1}\n\nLearn Testing\n\nAn in-depth course on software testing.\n\n{P2}"
    assert ImageCaptions().find_edits(page, DocumentContext()) == []
