"""Site styles of the cleaning evaluation: what each kind of page wraps around an article.

Every site is data: its fixed chrome (the lines printed on every page of the site),
how it shows the title and byline, what it puts between paragraphs and after the
article. Templates are ``str.format`` strings over the fields of :func:`fields`.
A tail entry is either a template (included with some probability) or a ``dict``
describing a link list: a header followed by unrelated headlines (no header: a
bare rail of headlines, which no header gives away).

Some furniture is hard on purpose, so the figures keep headroom: author boxes,
captions without a credit, bare headline rails, polls, a site's own slogan.

The sites are split in two halves. Rules are developed on the ``dev`` sites only;
the ``test`` sites use other wording for the same kinds of furniture, so the test
figures show how far the rules generalise. None of these lines is copied from the
cleaner's rule file: they were written from the way real sites lay out pages.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CAPTIONS", "CREDITS", "HEADLINES", "PEOPLE", "SITES", "TAGS"]

#: Unrelated stories for link lists, read-more lines and teasers.
HEADLINES = [
    "Police appeal for witnesses after crash on ring road",
    "Ten of the best walks in the national park this autumn",
    "Pop star cancels tour dates citing exhaustion",
    "Why your energy bill could go up again in October",
    "Village school wins national award for outdoor learning",
    "Man charged after dog attack in city park",
    "The secret to a perfect roast potato, according to chefs",
    "Airport unveils plans for second runway",
    "Teenager rescued from cliff ledge by coastguard",
    "Shoppers urged to check freezers after product recall",
    "Premier club confirms signing of teenage striker",
    "How to spot a fake parking fine letter",
    "Historic pier to reopen after two-year restoration",
    "Minister resigns over expenses claims",
    "Bakery chain to open 50 new shops",
    "Scientists say chocolate shortage could last until next year",
    "Storm warning issued for coastal areas",
    "Mother's tribute to son killed in motorbike crash",
    "New bus routes announced for the east of the city",
    "Celebrity chef opens restaurant in former bank",
    "House prices fall for third month in a row",
    "Hospital car park charges to be scrapped",
    "Council to plant 10,000 trees by spring",
    "Veteran broadcaster dies aged 87",
    "Zoo welcomes birth of rare red panda cubs",
    "Motorway closed overnight for resurfacing works",
    "Farmer's field maze breaks world record",
    "Streaming giant raises subscription prices",
    "Jury retires in trial of former bank manager",
    "What we know about the new driving test rules",
    "Cat returns home after being missing for nine years",
    "Rugby side name new captain ahead of cup final",
    "Lottery winner to spend prize on village hall roof",
    "Tributes paid to popular lollipop lady",
    "Family-run cinema celebrates 100 years",
    "Inflation: what it means for your savings",
    "Heatwave: how to keep your pets cool",
    "Shipping firm fined over oil spill",
    "Former mayor to stand as independent candidate",
    "Students stage sit-in over accommodation costs",
    "Ferry services cancelled as gales hit the coast",
    "Supermarket apologises for mislabelled sandwiches",
    "Hidden mural uncovered during shop renovation",
    "Charity walk raises £50,000 for hospice",
    "Drivers face delays as bridge closes for repairs",
    "Artist's portrait of the king goes on display",
    "Tech billionaire buys historic castle",
    "Guide: the new rules on recycling from next month",
    "Jobs at risk as factory announces closure",
    "Orchestra to play free concert in the park",
]

#: Photo captions (a caption is furniture: it describes a picture, not the story).
CAPTIONS = [
    "Protesters gather outside the town hall on Monday evening",
    "A view of the harbour at dawn",
    "Firefighters work to contain the blaze on Saturday",
    "The building was evacuated shortly after 9am",
    "Supporters wait outside the court",
    "Residents survey the damage to their homes",
    "The minister speaks to reporters in the capital",
    "Passengers queue at the station on Thursday morning",
    "Volunteers hand out food parcels",
    "The new building is due to open next year",
    "Traffic backs up on the main road into the city",
    "Players celebrate after the final whistle",
    "A researcher examines a sample in the laboratory",
    "Visitors look at exhibits in the main hall",
    "Workers clear debris from the road",
]

PEOPLE = [
    "Anna Kowalczyk",
    "James O'Hara",
    "Sofia Brandt",
    "Michael Tan",
    "Leila Haddad",
    "Chris Mbeki",
    "Ruth Salgado",
    "Pavel Novak",
    "Hannah Lee",
    "Joseph Adair",
]

CREDITS = [
    "Alamy",
    "PA Media",
    "Getty Images",
    "Shutterstock",
    "AFP",
    "EPA",
    "Reuters",
    "AP",
    "Supplied",
    "Handout",
]

TAGS = [
    "Politics",
    "Crime",
    "Weather",
    "Transport",
    "Health",
    "Education",
    "Environment",
    "Business",
    "Sport",
    "Local news",
    "World",
    "Culture",
]


def _site(**kwargs: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "sep": "\n\n",
        "bullet": "",
        "title": "once",
        "top": [],
        "top_optional": [],
        "kicker": [],
        "byline": [],
        "inline": [],
        "inline_rate": 0.25,
        "tail": [],
        "bottom": [],
        "cookie": None,
        "teasers": 0.0,
        "trailing_spaces": False,
    }
    defaults.update(kwargs)
    return defaults


SITES: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- dev sites
    _site(
        name="The Daily Ledger",
        split="dev",
        top=["Skip to main content", "Subscribe", "Sign In"],
        kicker=["{SECTION}"],
        byline=["By {author}", "{date_us} at {hour}:{minute} a.m. EDT"],
        inline=[
            "Advertisement",
            "Story continues below advertisement",
            "{caption}. ({credit_ap})",
        ],
        tail=[
            "Gift this article",
            "{n} Comments",
            "{author} is a staff writer covering {section_lower} for The Daily Ledger.",
            {"header": ["Most Read", "Most Read {section}"], "n": (3, 5)},
        ],
        bottom=["© 2024 The Daily Ledger. All rights reserved."],
    ),
    _site(
        name="Northern Echoes",
        split="dev",
        sep="\n",
        top=["Home > News > {section}"],
        byline=["{author}", "Reporter", "Published: {dd}/{mm}/2024 {hour}:{minute}"],
        inline=["READ MORE: {headline}", "Advertisement", "READ MORE: {headline}"],
        inline_rate=0.35,
        tail=[
            "Get the latest news sent straight to your inbox by signing up to our daily newsletter here.",
            "Have you got a story? Email newsdesk@northernechoes.co.uk",
            "Comments",
        ],
        bottom=["Northern Echoes: the voice of the north since 1882"],
        cookie=(
            "top",
            [
                "We use cookies to personalise content and ads and to analyse our traffic. Find out more in our cookie notice.",
                "Accept all",
                "Manage preferences",
            ],
        ),
    ),
    _site(
        name="WireWorld",
        split="dev",
        title="once",
        byline=["By {author}", "{weekday}, {date_us} {hour}:{minute} GMT"],
        tail=[
            "Reporting by {author}; additional reporting by {author2}; editing by {editor}",
            "Our Standards: The WireWorld Trust Principles.",
            {"header": ["Read Next"], "n": (2, 4)},
        ],
    ),
    _site(
        name="Broadcast 24",
        split="dev",
        title="once",
        byline=["Published {n} hours ago", "Share", "Image source, {credit}"],
        inline=["Image caption, {caption}", "Image source, {credit}", "{caption}"],
        inline_rate=0.2,
        tail=[
            {"header": ["Related Topics"], "items": "tags", "n": (2, 4)},
            {"header": ["More on this story"], "n": (2, 3)},
            {"header": ["Top Stories"], "n": (3, 4)},
        ],
    ),
    _site(
        name="Newswire Blog",
        split="dev",
        title="once",
        trailing_spaces=True,
        byline=["Posted on {date_us} by {author}"],
        tail=[
            "Share this:",
            "Twitter",
            "Facebook",
            "Like this:",
            "Like Loading...",
            {"header": ["Related"], "n": (3, 3)},
            "Posted in {section} | Tagged {tag1}, {tag2}",
            "Leave a Reply Cancel reply",
            "Your email address will not be published. Required fields are marked *",
        ],
    ),
    _site(
        name="Metro Tabloid",
        split="dev",
        sep="\n",
        bullet="• ",
        title="once",
        byline=["{author}", "Published {hour}:{minute}, {dd} {month} 2024"],
        inline=["MORE: {headline}", "Picture: {credit}", "{caption} (Picture: {credit})"],
        inline_rate=0.3,
        tail=[
            "Get in touch with our news team by emailing us at webnews@metrotabloid.co.uk.",
            "For more stories like this, check our news page.",
            "Follow our Facebook page for the latest news",
            "Comment",
            {"header": [], "n": (3, 4)},
        ],
        cookie=(
            "bottom",
            [
                "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
                "Accept",
                "Read More",
            ],
        ),
    ),
    _site(
        name="Tech Insider",
        split="dev",
        title="twice",
        kicker=["{section}"],
        byline=["{author}", "Updated {date_us}, {hour}:{minute} p.m. ET", "5 min read"],
        inline=["Photo: {author2}/{credit}"],
        inline_rate=0.15,
        tail=[
            "Filed under: {section}",
            {"header": ["Related Articles"], "n": (3, 4)},
            "Subscribe to our weekly newsletter for the latest tech news.",
            "Poll: Will you change your password this week? Yes / No / Not sure",
            "Comments are closed.",
        ],
    ),
    _site(
        name="NewsHub Aggregator",
        split="dev",
        sep="\n",
        title="none",
        top_optional=["Source: {source_site}"],
        tail=[
            "This article was originally published on {source_site}.",
            "Tags: {tag1}, {tag2}, {tag3}",
            "Follow us on Google News",
            {"header": ["Trending Now"], "n": (2, 4)},
        ],
        teasers=0.6,
    ),
    # --------------------------------------------------------------- test sites
    _site(
        name="The Morning Courier",
        split="test",
        top=["Sections", "Search", "Log in"],
        kicker=["{section}"],
        byline=["Written by {author}, Staff writer", "Posted {date_us} | Updated {n} hours ago"],
        inline=["ADVERTISEMENT", "{caption} — {author2} for The Morning Courier"],
        inline_rate=0.3,
        tail=[
            "Share this story",
            "Comment on this story",
            "{author} reports on {section_lower} for the Courier. Reach them at newsroom@mcourier.com.",
            {"header": ["Recommended"], "n": (3, 4)},
            "Copyright © 2024 Morning Courier Media LLC",
        ],
        cookie=(
            "bottom",
            ["By using this site, you agree to our use of cookies. Learn more", "OK"],
        ),
    ),
    _site(
        name="Valley Gazette",
        split="test",
        sep="\n",
        bullet="- ",
        top=["You are here: Home / News / {section}"],
        byline=["{author}", "{dd} {month} 2024", "Listen to this article"],
        inline=["Also read: {headline}", "Also read: {headline}"],
        inline_rate=0.3,
        tail=[
            "Email the author",
            "Want to see more stories like this? Sign up for the Gazette Today bulletin.",
            "Reader comments ({n})",
            "View comments",
        ],
        bottom=["Proudly independent, proudly local"],
        cookie=("top", ["Accept all cookies", "Cookie settings"]),
    ),
    _site(
        name="Globe Wire Service",
        split="test",
        title="once",
        byline=["{author}", "{month} {d}, 2024, {hour}:{minute} PM"],
        tail=[
            "(Writing by {author}; Editing by {editor})",
            "Copyright 2024 Globe Wire Service. All rights reserved. This material may not be published, broadcast, rewritten or redistributed without permission.",
        ],
    ),
    _site(
        name="Channel Nine News",
        split="test",
        title="twice",
        kicker=["{section}", "Breaking"],
        byline=["{author}", "{d} {month}", "Share"],
        inline=[
            "Media caption, {caption}",
            "Watch: {headline}",
            "Image copyright {credit}",
            "{caption}",
        ],
        inline_rate=0.25,
        tail=[
            {"header": ["Around the network", "Elsewhere on Nine"], "n": (3, 4)},
            "Follow Channel Nine on X and Instagram",
        ],
    ),
    _site(
        name="Wanderlust Magazine",
        split="test",
        bullet="* ",
        trailing_spaces=True,
        byline=["Posted by {author} on {date_us}", "Categories: {section}"],
        tail=[
            "Tags: {tag1}, {tag2}",
            "Click to share on Facebook (Opens in new window)",
            "Click to share on X (Opens in new window)",
            "Click to email a link to a friend (Opens in new window)",
            {"header": ["You might also like"], "n": (3, 3)},
            "Notify me of new posts by email.",
        ],
    ),
    _site(
        name="Sunday Star",
        split="test",
        sep="\n",
        top=["Sponsored links"],
        byline=["By {AUTHOR}", "{hour}:{minute}, {d} {mon} 2024"],
        inline=["Credit: {credit}", "Don't miss: {headline}", "{caption}. Credit: {credit}"],
        inline_rate=0.3,
        tail=[
            "Send us your stories: email tips@sundaystar.co.uk or WhatsApp 07700 900123",
            {"header": ["Most popular", "Don't miss"], "n": (3, 5)},
            "Follow us on Instagram",
            {"header": [], "n": (3, 4)},
        ],
    ),
    _site(
        name="Finance Daily",
        split="test",
        top=["You have 2 free articles left this month.", "Subscribe for full access"],
        top_optional=["Already a member? Log in"],
        byline=[
            "{author}",
            "Updated on {dd} {month} 2024 at {hour}:{minute} BST",
            "Listen · 4:12 min",
        ],
        inline=["Unlock this article"],
        inline_rate=0.1,
        tail=[
            "Gift this article to a friend",
            "Quick poll: Are you planning to buy a home this year? Vote now",
            {"header": ["Most read in {section}"], "n": (3, 4)},
        ],
    ),
    _site(
        name="DailyFeed",
        split="test",
        sep="\n",
        title="none",
        top_optional=["Originally posted on {source_site}"],
        tail=[
            "Read the full story at {source_site}",
            {"header": ["Related posts:"], "n": (2, 3)},
            "Report this ad",
        ],
        teasers=0.6,
    ),
]
