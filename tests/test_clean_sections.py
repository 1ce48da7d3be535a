"""The section layer: a block after the article's end goes whole, as one edit.

Pages in the style of blogs and small-site CMSes (a garden blog, a repair shop's
how-to, a hobby forum's article page), cased and lowercased-tokenized: the block
after the article goes with one edit naming what opened it, and the article stays.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from text_forms import tokenized

from builder.clean.author_boxes import _BIO, _BIO_WORDS
from builder.clean.edits import rebuild_raw
from builder.clean.lines import line_view
from builder.clean.pipeline import Cleaner
from builder.clean.rules import load_rules
from builder.clean.sections import SECTIONS_PATH, TrailingSection
from builder.clean.steps import DocumentContext

ARTICLE = (
    "Tomato seedlings need more light than a windowsill gives them in early spring, and "
    "a cheap shop light hung a hand's width above the trays makes a real difference.",
    "Keep the light on for fourteen hours a day and raise it as the plants grow, so the "
    "stems stay short and thick instead of stretching towards the glass.",
    "Water from below by standing the trays in a shallow dish for half an hour, then let "
    "the compost dry a little before you water again.",
    "Once the first true leaves open, move each seedling into its own pot and bury the "
    "stem up to the leaves; tomatoes root all along the buried stem.",
)

#: family -> the block after the article, in the style of several CMSes.
BLOCKS: dict[str, str] = {
    "comments": (
        "4 thoughts on “Growing tomatoes under lights”\n\n"
        "Priya K says:\nMy seedlings were leggy every year until I lowered the lamp. "
        "Thanks for this, it worked a treat this spring.\nReply\n\n"
        "Tom from Leeds says:\nWhat wattage do you use for two trays?\nReply\n\n"
        "Leave a Reply\nYour email address will not be published."
    ),
    "author_box": (
        "About the Author\n"
        "Ruth Mensah has grown vegetables on an allotment in Bristol for twenty years and "
        "writes about small-space gardening."
    ),
    "author_posts": "Written by Ruth Mensah\nView all posts by Ruth Mensah",
    "related": (
        "Related Posts\nHow to harden off seedlings\nThe best compost for starting seeds\n"
        "Five mistakes new growers make with peppers"
    ),
    "related_call": (
        "Looking for more seed-starting tips? Check out these posts!\n"
        "How to harden off seedlings\nThe best compost for starting seeds"
    ),
    "cookies": (
        "Manage consent\nPrivacy Overview\n"
        "This website uses cookies to improve your experience while you navigate through "
        "the website and to remember your privacy choices.\nNecessary\nAlways Enabled"
    ),
    "share": "Share this:\nFacebook\nPinterest\nEmail\nLike this:\nLike Loading...",
    "tags": "Tags: seedlings, tomatoes, grow lights, spring\nPrevious post\nNext post",
    "comment_voice": (
        "Lovely write-up, I had no idea you could bury tomato stems that deep.\n"
        "Thanks for sharing these tips, trying them this weekend with my daughter.\n"
        "Hi Ruth, do you use the same light for peppers or do they need more?\n"
        "So helpful! My trays finally look sturdy."
    ),
    "references": (
        "References\n"
        "1. Hartley, J. (2019). Light and stem length in tomato seedlings. Garden Science, 12(3).\n"
        "2. Royal Horticultural Society. Sowing tomatoes. https://www.example.org/sowing\n"
        "[3] Okafor, N. et al. Supplementary lighting for transplants, 2021."
    ),
    "author_bio": (
        "Ruth Mensah\n"
        "Ruth Mensah is a garden writer and allotment holder in Bristol, and the author of "
        "two books on growing food in small spaces.\n"
        "Follow Ruth"
    ),
    "newsletter": (
        "Get our weekly growing notes delivered straight to your inbox\n"
        "Email address\nSubscribe\nNo spam, unsubscribe at any time."
    ),
    "appeal": (
        "Enjoyed this guide?\nWe are a tiny team, and reader gifts keep the allotment diary going.\n"
        "Support our work\nGive once\nGive monthly"
    ),
    "author_name": (
        "Kofi Adjei\nContributing editor\n"
        "Kofi Adjei has written about vegetable growing for ten years and runs a seed swap "
        "in Leeds.\nMore from Kofi"
    ),
    "feedback": (
        "Was this guide helpful?\nYes\nNo\nRate this article\n"
        "Republish this article\nFree to reuse under a Creative Commons licence."
    ),
    "comment_cues": (
        "Dana Whitfield says:\nI hung mine too high the first year and they flopped over.\n"
        "Reply\nMarco P says:\nSame here, lowering the lamp fixed it.\nReply"
    ),
}


def _page(block: str) -> str:
    return "\n\n".join(ARTICLE) + "\n\n" + block + "\n"


def test_every_section_family_has_a_case() -> None:
    names = {r.name for r in load_rules(SECTIONS_PATH)} | {"author_name"}
    assert names <= set(BLOCKS), f"families without cases: {names - set(BLOCKS)}"


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("family", sorted(BLOCKS))
def test_the_block_after_the_article_goes_as_one_edit(family: str, lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    raw = form(_page(BLOCKS[family]))
    result = Cleaner.default().clean(raw)
    article = form("\n\n".join(ARTICLE))
    assert result.text.rstrip() == article
    block_edits = [e for e in result.edits if "sections." in e.reason]
    assert len(block_edits) == 1, [e.reason for e in result.edits]
    assert f"sections.{family}" in block_edits[0].reason
    assert block_edits[0].original.strip() == form(BLOCKS[family]).strip()
    assert rebuild_raw(result.text, result.edits) == raw


def test_a_header_in_the_first_part_of_the_page_opens_no_block() -> None:
    # A comments header above most of the text is a widget at the top, not the end.
    raw = "Comments (3)\n\n" + "\n\n".join(ARTICLE) + "\n"
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_related_link_between_paragraphs_leaves_the_article_after_it(lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    raw = form(
        "\n\n".join(ARTICLE[:2])
        + "\n\nAlso read:\nHow to harden off seedlings\n\n"
        + "\n\n".join(ARTICLE[2:])
        + "\n"
    )
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


def test_article_lines_that_start_like_section_headers_stay() -> None:
    for line in (
        "4,000 responses to the consultation",  # a figure in a list, not a comment count
        "Discussion",  # a paper's section
        "More from the allotment",  # a subheading (the line rules judge it over its list)
        "Reply to the council's letter:",
    ):
        raw = "\n\n".join(ARTICLE[:3]) + f"\n\n{line}\n\n" + ARTICLE[3] + "\n"
        assert TrailingSection().find_edits(raw, DocumentContext()) == [], line


def test_quoted_speech_is_not_a_commenter_line() -> None:
    raw = (
        "\n\n".join(ARTICLE)
        + "\n\nThe head gardener said:\nWe start every tray under lights now.\n"
        + "Her assistant said:\nIt saves us weeks.\n"
    )
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_comment_section_longer_than_the_article_goes_too(lowercased: bool) -> None:
    # A forum-style thread under a short story: titled comments with their scores.
    form = tokenized if lowercased else (lambda text: text)
    thread = "\n".join(
        f"Re: grow lights (Score:{i % 5})\n"
        "I have used a cheap shop light for years and my seedlings never stretched, "
        "as long as it hangs low enough over the trays and stays on long enough."
        for i in range(12)
    )
    raw = form("\n\n".join(ARTICLE) + "\n\n" + thread + "\n")
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.comment_cues" in edit.reason


def test_a_comment_form_notice_opens_the_comment_section() -> None:
    block = (
        "Your email address will not be published. Required fields are marked *\n"
        "Jo B. says:\nLovely tomatoes, mine are still tiny.\nReply"
    )
    result = Cleaner.default().clean(_page(block))
    assert result.text.rstrip() == "\n\n".join(ARTICLE)


def test_a_counted_comment_header_opens_the_section_without_other_cues() -> None:
    block = (
        "37 Reader Comments\n"
        "1. Great write-up, though I would start the seeds a week later in the north.\n"
        "2. Has anyone tried LED strips instead of a shop light?"
    )
    result = Cleaner.default().clean(_page(block))
    assert result.text.rstrip() == "\n\n".join(ARTICLE)


@pytest.mark.parametrize("lowercased", [False, True])
def test_comment_stamps_open_the_thread_with_the_name_above_them(lowercased: bool) -> None:
    # A thread whose commenter lines lost "says": a name, then its date and time.
    form = tokenized if lowercased else (lambda text: text)
    block = (
        "Gwen Alder\nApril 9, 2023 at 7:42 am\nDo you leave the light on overnight at all?\n"
        "Owen\n10 Apr 2023, 21:05\nNo, fourteen hours is plenty for mine.\n"
        "Pat R.\n2 days ago\nSame here."
    )
    raw = form(_page(block))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.comment_cues" in edit.reason
    assert edit.original.strip() == form(block).strip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_commented_on_line_with_its_date_is_a_commenter_line(lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    block = (
        "kestrel42 commented Mar 2, 2024\nWorked for my chillies as well.\n"
        "bramblefox commented 4 Mar 2024\nWhich compost did you use?"
    )
    result = Cleaner.default().clean(form(_page(block)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_schedule_of_dates_in_the_article_is_not_a_comment_thread(lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    raw = form(
        "\n\n".join(ARTICLE[:3])
        + "\n\nThe allotment society runs two seed swaps this spring:\n"
        + "March 2, 2024 at 10:00 am\nMarch 9, 2024 at 10:00 am\n\n"
        + ARTICLE[3]
        + "\n"
    )
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_praise_and_thanks_in_the_article_are_not_a_comment_section(lowercased: bool) -> None:
    # The author thanks people and praises a product: one or two such lines are prose.
    form = tokenized if lowercased else (lambda text: text)
    raw = form(
        "\n\n".join(ARTICLE)
        + "\n\nGreat tips from the head gardener at Kew made this guide possible.\n\n"
        + "Thanks for reading, and good luck with your seedlings this year.\n"
    )
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_bare_credit_header_opens_the_author_block(lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    block = "Medically reviewed by:\nDr. Hana Okafor, MD\nBoard-certified dermatologist"
    result = Cleaner.default().clean(form(_page(block)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.author_posts" in edit.reason


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    ("block", "family"),
    [
        ("Most Popular\nTen herbs that grow on a shady balcony\nWhy my courgettes rot", "related"),
        ("Recent Blogs\nPruning apple trees in winter\nA compost bin from pallets", "related"),
        ("More in this section\nRaised beds on a budget\nSlug traps that work", "related"),
        ("Other stories you may enjoy\nWintering dahlias\nA pond in a half barrel", "related"),
        ("Related Garden Posts\nSowing broad beans in autumn\nNettle feed", "related"),
        ("More from Ruth:\nMy allotment diary, week 12\nSeed swaps near Bristol", "related"),
        ("Also of interest\nWhat to sow in March\nThe best hand trowels", "related"),
        ("Suggested posts\nLeaf mould in a bin bag\nGrowing garlic in pots", "related"),
        (
            "Stories you might be interested in\nA rain garden for a terrace\nFig trees in tubs",
            "related",
        ),
        ("Posts that may interest you\nMulching with straw\nThe no-dig method", "related"),
        ("Your next read\nHow to save tomato seed\nBlight: what to look for", "related"),
        ("Additional reading on composting\nHot heaps\nWormeries for flats", "related"),
        ("Browse all garden guides\nSpring jobs\nAutumn jobs", "related"),
        (
            "If you liked this post you might also like:\nWintering dahlias\nFig trees in tubs",
            "related_call",
        ),
        ("This might be interesting to you:\nA pond in a half barrel\nNettle feed", "related_call"),
        ("You may also enjoy these posts!\nHot heaps\nWormeries for flats", "related_call"),
        ("Share this article on:\nFacebook\nX\nEmail", "share"),
        ("Connect with us!\nInstagram\nYouTube", "share"),
    ],
)
def test_rails_and_share_widgets_under_theme_names_go(
    block: str, family: str, lowercased: bool
) -> None:
    form = tokenized if lowercased else (lambda text: text)
    result = Cleaner.default().clean(form(_page(block)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert f"sections.{family}" in edit.reason


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    "block",
    [
        # the article's own advice, closed by a stop, over its own steps
        "Before you sow, read these posts from last spring.\n"
        "Use fresh compost every year, and clean the trays in hot water.\n"
        "Label every row the day you sow it, or you will forget which is which.",
        # a sentence sending the reader on, over prose: the article goes on
        "Want to grow them outside too? Check out these guides!\n"
        "Outdoors, tomatoes want the warmest wall you have and a deep bed of compost, and "
        "they want it from the first warm week of May until the first frost of autumn. "
        "Pinch out the side shoots every week so the plant puts its strength into the "
        "trusses, and feed it with a high-potash feed once the first fruits set.",
    ],
)
def test_a_sentence_like_a_rails_call_over_the_articles_own_text_stays(
    block: str, lowercased: bool
) -> None:
    form = tokenized if lowercased else (lambda text: text)
    raw = form(_page(block))
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "sections." in e.reason]
    assert result.text == raw.rstrip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_suggested_reading_line_between_the_articles_parts_stays(lowercased: bool) -> None:
    # "Suggested reading:" over a link card, then the article's closing line: short
    # enough to go if the line opened a block, but bloggers put it between their parts.
    form = tokenized if lowercased else (lambda text: text)
    raw = form(
        "\n\n".join(ARTICLE)
        + "\n\nSuggested reading:\nHow to pot on seedlings\n\n"
        + "Good luck, and enjoy the first ripe tomato of the year!\n"
    )
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "sections." in e.reason]
    assert "first ripe tomato" in result.text


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_form_after_the_article_goes_with_its_header(lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    block = "Drop us a line\nName *\nEmail (required)\nMessage\nSend"
    result = Cleaner.default().clean(form(_page(block)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.form" in edit.reason
    assert edit.original.strip() == form(block).strip()


def test_one_field_like_word_in_the_article_is_not_a_form() -> None:
    raw = "\n\n".join(ARTICLE[:3]) + "\n\nName\n\n" + ARTICLE[3] + "\n"
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_second_header_confirms_a_block_with_a_prose_bio(lowercased: bool) -> None:
    # "Share this", an author's bio (prose), then "You might also like": the footer.
    form = tokenized if lowercased else (lambda text: text)
    block = (
        "Share this\nRuth Mensah\n"
        "Ruth has grown vegetables on an allotment in Bristol for twenty years, writes a weekly "
        "column on small-space gardening and teaches evening classes on seed saving and soil.\n"
        "You might also like\nHow to harden off seedlings"
    )
    result = Cleaner.default().clean(form(_page(block)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.share" in edit.reason


def test_a_share_line_before_more_article_prose_stays() -> None:
    raw = "\n\n".join(ARTICLE) + "\n\nShare this\n\n" + "\n\n".join(ARTICLE) + "\n"
    assert TrailingSection().find_edits(raw, DocumentContext()) == []


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_references_header_over_prose_is_the_articles_own_part(lowercased: bool) -> None:
    # "Notes" over the writer's own tips, not a list of what the article cites.
    form = tokenized if lowercased else (lambda text: text)
    tail = (
        "Notes\n"
        "Seedlings grown on a cool windowsill can take a week longer to reach transplant "
        "size, so start them a little earlier.\n"
        "If the leaves turn purple underneath, the compost is too cold for them."
    )
    raw = form(_page(tail))
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_person_described_in_the_article_is_not_an_author_box(lowercased: bool) -> None:
    # A sentence about someone, with more of the article after it, stays.
    form = tokenized if lowercased else (lambda text: text)
    tail = (
        "Dana Whitfield is a market gardener near Totnes who has grown tomatoes under "
        "lights for a decade.\n"
        "She hangs her lamps on chains so she can raise them a link at a time as the "
        "plants grow, and she never lets the compost dry out completely.\n"
        "By the time the first flowers open, her plants are ready for the greenhouse."
    )
    raw = form(_page(tail))
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_wordpress_thread_header_opens_the_comments_without_commenter_lines(
    lowercased: bool,
) -> None:
    # The extractor dropped the commenters' names; the counted header with the post's
    # title says what follows, even when the thread is longer than the article.
    form = tokenized if lowercased else (lambda text: text)
    thread = "12 Comments on “Growing tomatoes under lights”\n" + "\n".join(
        f"{i}. I tried this with my own trays this spring and the stems stayed short "
        f"and strong, much better than the year before when I used the windowsill."
        for i in range(1, 9)
    )
    raw = form(_page(thread))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.comments" in e.reason for e in result.edits)


def test_more_from_a_place_in_the_article_over_prose_stays() -> None:
    # "More from the kitchen" names no one: the article's own last part, prose after it
    # (its own prose: paragraphs printed again word for word at the page's end are a
    # copy, ``tail_copy``).
    more = [
        "Peppers want the same light for longer, and a second shelf under the first keeps "
        "them from shading the tomatoes as both grow.",
        "Water both in the morning so the leaves are dry before the glass cools at night, "
        "when damp foliage invites mould.",
    ]
    raw = "\n\n".join(ARTICLE) + "\n\nMore from the greenhouse\n\n" + "\n\n".join(more) + "\n"
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()


_NAME_TOKEN = st.sampled_from(
    ["Ruth", "-", "Mary-Jane", "O'Neil-Smith", "J.R.R.", "Dr.", "de", "la", "Berg", "o’brien"]
)
_BIO_LINE = st.builds(
    lambda about, first, rest, comma, verb, article, between, role: (
        " ".join([*about, first, *rest])
        + comma
        + f" {verb} {article} {' '.join(between)} {role} at the Daily Planet.".replace("  ", " ")
    ),
    st.sampled_from([[], ["About"]]),
    st.sampled_from(["Ruth", "Mary-Jane", "J.R.R.", "Zoë"]),
    st.lists(_NAME_TOKEN, min_size=1, max_size=3),
    st.sampled_from(["", ",", " ,"]),
    st.sampled_from(["is", "was", "has been", "IS", "Has  been"]),
    st.sampled_from(["a", "an", "the", "our"]),
    st.lists(st.sampled_from(["senior", "award-winning", "R&D", "staff", "tech,"]), max_size=4),
    st.sampled_from(["writer", "editor", "co-founder", "engineers", "ceo"]),
)


@settings(max_examples=400)
@given(_BIO_LINE)
def test_the_bio_prefilter_passes_every_line_the_bio_pattern_matches(line: str) -> None:
    """The cheap word test before the bio pattern only saves time: a name of hyphened,
    dotted or bare-dash tokens (any number of words, or none) still reaches the pattern."""
    view = line_view(line)
    assert _BIO.match(view.norm), line  # the generator makes bios
    assert _BIO_WORDS.search(view.key), line


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_prose_promo_block_of_a_sixth_of_the_page_goes_after_its_header(
    lowercased: bool,
) -> None:
    # Two teasers written as sentences under "Related Posts": prose, but a block this
    # short (about a sixth of the page) after a related header is the page's rail.
    form = tokenized if lowercased else (lambda text: text)
    article = (
        *ARTICLE,
        "Harden the young plants off over a week: an hour outside on the first day, "
        "a little longer each day after, and home again if a frost is forecast.",
        "Plant them out when the nights stay above ten degrees, deeper than they sat in "
        "their pots, and water them in well.",
    )
    block = (
        "Related Posts\n"
        "Our guide to saving seed from this year's best plants, with the labels we print.\n"
        "Peppers want more warmth than tomatoes: how we keep a heat mat going on a budget."
    )
    raw = form("\n\n".join(article) + "\n\n" + block + "\n")
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == form("\n\n".join(article))
    [edit] = [e for e in result.edits if "sections." in e.reason]
    assert "sections.related" in edit.reason
    assert rebuild_raw(result.text, result.edits) == raw
