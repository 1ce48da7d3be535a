"""Cleaning rules and heuristics, each shown on page furniture of sites other than the seeds'.

Every rule of ``builder/rules/boilerplate.yaml`` has cases here (a test fails when a
rule has none), and article lines that look like furniture must survive untouched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from text_forms import tokenized

from builder.clean.boilerplate import BoilerplateLines
from builder.clean.edits import map_span, rebuild_raw
from builder.clean.pipeline import STEP_NAMES, Cleaner
from builder.clean.repetition import LineCounter, RepeatedLinesStep, SqliteLineCounter
from builder.clean.rules import RuleError, load_rules
from builder.clean.steps import DocumentContext
from builder.clean.textform import (
    _count_letters,
    _count_split_clitics,
    detect_text_form,
    text_form,
)

BEFORE = (
    "Flood defences along the river failed on Sunday night, forcing more than 200 families "
    "to leave their homes before dawn."
)
AFTER = (
    "The county council said pumps would run through the week while engineers inspected "
    "the damaged embankment."
)
#: More of the article, below a line that should stay mid-page.
FURTHER = [
    "Residents of the lower town were told to keep sandbags at their doors until Friday, "
    "when the water is expected to fall below the old harbour wall again.",
    "Two schools stayed shut on Monday, and the bus company moved its depot to the "
    "retail park on the ring road while the yard is cleared of mud.",
    "Volunteers from the rowing club ferried supplies to the farms cut off by the water, "
    "and the parish hall opened as a shelter for anyone who could not get home.",
]

#: rule -> furniture lines in the style of sites other than the seeds'.
CASES: dict[str, list[str]] = {
    "share_widget": [
        "Share on WhatsApp",
        "Facebook Twitter LinkedIn Email",
        "Share this post via Email",
        "Click to print (Opens in new window)",
        "PinterestFacebookWhatsAppEmail",
        "instagram icon link youtube icon link",
        "Twitter logo",
        "Loved this recipe? Pin it for later!",
        "Found it useful? Share it with a friend",
    ],
    "social_follow": [
        "Follow The Herald on Instagram and TikTok for more.",
        "Join our WhatsApp community for breaking news",
        "Download the free Herald app for iPhone and Android",
        "Get the Herald app",
        "Download our app for the latest headlines",
        "Follow us",
        "Stay connected",
    ],
    "follow_prompt": [
        "Thanks for reading! Be sure to follow us on Instagram for more weekend bakes.",
        "Want more planting plans? Let's hang out on Pinterest!",
        "Follow on social: YouTube | Instagram | Threads",
        "Catch up on our latest kit reviews, and follow us on TikTok and YouTube for the videos.",
    ],
    "comment_widget": [
        "12 comments",
        "View 8 comments",
        "Comments (3)",
        "Be the first to comment",
        "Notify me of follow-up comments by email.",
        "Save my name, email, and website in this browser for the next time I comment.",
        "%d bloggers like this:",
        "Reader Interactions",
        "June 14, 2024 No Comments",
        "Marta Lopez March 3, 2023 0 Comments",
        "By 12 Comments",
        "2 of 9 comments",
        "Thanks for joining in. Please read our commenting guidelines before you post.",
        "Got a question or comment about this recipe?",
        "Comment via: mastodon, lobsters",
        "Comment via email or on the Fediverse:",
        "Comments Filter:",
    ],
    "browser_notice": [
        "Internet Explorer 11 is not supported. For the best experience, use another browser.",
        "Your browser is out of date. Update it to see this site as it was meant to be seen.",
        "Please enable JavaScript to view all of this page's features.",
        "JavaScript seems to be disabled in your browser.",
        "This browser is no longer supported. We recommend a recent version of Firefox.",
        # a push-notification widget's prompt
        "Would you like to receive notifications about new posts?",
        "Do you want to get browser notifications for our latest stories?",
    ],
    "navigation": [
        "Skip to navigation",
        "Skip to main content Skip to footer",
        "Main menu",
        "Next story: Council votes on bus lanes",
        "Toggle navigation",
        "An official website of the State of Ohio government",
        "Secure .gov websites use HTTPS",
        "Here's how you know",
        "Learn more",
        "Get a free quote",
        "Shop now ›",
        "Read More",
        "Book a demo",
        "Bottom of page",
        "Accessibility links",
        "Back to all articles",
        # A blog's link back to its list of posts (issue 11, clean15).
        "← Back to Blog",
        "Return to all Blog",
        "Back to posts",
        "Previous Next",
        "Book now",
        "Request info",
        "Contact us today!",
        # A call button with its number (issue 11, December 2026).
        "Get a Free Estimate (503) 555-0112",
        # A review site's buttons, and a button with its stop (issue 11, clean14b).
        "Read our full review",
        "Jump to Review",
        "See more reviews ›",
        "View Full Profile",
        "Learn more.",
        # Widgets' buttons and empty states (issue 11, clean14b).
        "Full Bio",
        "Close Search",
        "Press ESC to close",
        "No items found.",
        "Jump to Section",
        "Listen to this story (4 min)",
        # A table of contents' label (issue 11, clean14b).
        "In This Article",
        "On this page",
        "Jump to:",
    ],
    "menu_label": ["Home", "Search", "Menu", "Blog", "By"],
    "advertisement": [
        "ADVERTISEMENT",
        "--- Advertisement ---",
        "Article continues after this advertisement",
        "Promoted stories",
        "Advertisement - Continue Reading Below",
        "SKIP ADVERTISEMENT",
        "Advertisement. Scroll to continue reading.",
    ],
    "newsletter": [
        "Sign up to our free Morning Briefing newsletter and get the news in your inbox.",
        "Subscribe to email alerts from The Herald",
        "Get our weekly digest delivered to you every Friday",
    ],
    "paywall": [
        "You've read 3 of 5 free articles this month.",
        "Already a subscriber? Sign in",
        "Subscribe now to continue reading",
        "Register for unlimited access to the Herald",
    ],
    "cookie_consent": [
        "This site uses cookies. By continuing to browse you agree to our use of cookies.",
        "Reject all",
        "We and our partners store and access information on your device using cookies.",
    ],
    "photo_credit": [
        "Photograph: Maria Lopez/Reuters",
        "Rescuers search the rubble in the town centre. (AP Photo/Omar Khalid)",
        "Volunteers sandbag the high street before the storm — Ana Ruiz for The Courier",
        "Priya Raman avatar",
        "Headshot of Tom Okafor",
        "harbour-wall-repairs-1024x683.webp",
        "DSC_0412 edited",
        "AFP via Getty Images",
        "Image caption, The bridge reopened on Monday",
        "Crowds gather at the harbour — Tom Baker for The Herald",
        "Kwame Asante/AFP/Getty Images",
        "Tomas Lind | Getty Images",
        "Halfpoint Images/Moment via Getty Images",
        "maria orlova Qx8bT2kLm9w unsplash",
        "Featured image",
        "Picture of Ines Carvalho",
        # Where a picture came from (issue 11, December 2026).
        "Image from Dana's June 2023 unboxing.",
        "Photo via the Harbour Trust archive",
        "Fishing boats at Whitby harbour, 1880 — via Wikimedia Commons",
        "A tram on Princes Street, 1952 – via National Library of Scotland",
        "Ana Ruiz, Harbour at Dusk, 2018. Gelatin silver print. Courtesy the artist and Blue Door Gallery.",
        "Courtesy of Nordic Outdoor",
        # A caption ending in its photographer behind a bar (issue 11, clean14b).
        "Stalls line the market square before dawn. | Photo by Dana Kim",
        "The new ferry leaves the harbour | Photograph by Tom Okafor",
        "Fishing boats wait out the storm in the inner harbour. Photograph by Ana Ruiz.",
        "Stalls line the square at dawn. Photo by: 'Tom Baker', courtesy of the market trust.",
        # A file name with no extension where the alt text stood.
        "harbour-walk-sunset-1200x800",
        # A caption naming its rights holder after the copyright sign.
        "Harbour lights at dusk, Tromsø | © 2018 Ana Ruiz",
    ],
    "byline": [
        "By Maria Lopez and Tom Baker",
        "Written by Sam O'Neill | Political correspondent",
        "Senior business reporter",
        "Posted by admin on March 3, 2024",
        "BY MARIA LOPEZ",
        "Posted on 3 March 2024 by admin",
        "By DANA WHITFIELD OCTOBER 9, 2023 | 7:15 PM",
        "by: Ines Carvalho, Jan 5, 2024",
        "by | Feb 2, 2024 | Gardening, Tools",
        "Medically reviewed by Ines Carvalho, RN",
        "Fact checked by Joel Park",
        "Edited by: Ines Carvalho",
        "Features Editor, The Courier Mar 3, 2024 9:00 am EST",
        # The label alone, its name on the next line (issue 11, clean14b).
        "Written By:",
        "Fact-checked by",
        "Medically reviewed by",
    ],
    "author_bio": [
        "Maria Lopez is the Herald's senior health correspondent and joined the paper in 2019.",
    ],
    "author_bio_career": [
        "Leon Weber is a science writer for the Alpine Gazette who covers glaciers and avalanches.",
        "Rosa Diaz is the Travel Editor of Wayfarer. In addition to editing, she leads walks.",
    ],
    "timestamp": [
        "Tuesday 3 March 2024",
        "Updated: 14:05 GMT, 3 March 2024",
        "2 hours ago",
        "Mon 4 March 2024 09.12 GMT",
        "03/03/2024 14:05",
    ],
    "reading_time": [
        "4 min read",
        "Reading time: 6 minutes",
        "Listen to this story · 3:45",
        "Feb 2, 2024 · 7 min read",
        "Gardening | 12 minute read",
        "Vimeo video player",
        # Behind a separator or an icon's alt text (issue 11, December 2026).
        "| Reading Time: 9 minutes",
        "Stopwatch icon Reading time: 4 minutes",
        "Reading Time ≈ 11 min.",
    ],
    "tags": [
        "Tags: floods, weather, Somerset",
        "Filed under: Politics, Elections",
        "Posted in News | Tagged floods, rain",
        "Filed under: Gardening |",
        "Tags:",
    ],
    "poll": [
        "Poll: Should the bridge be rebuilt?",
        "Tell us what you think and cast your vote below",
        "Quiz: test your knowledge of the week's news",
        "Vote now",
    ],
    "copyright": [
        "© 2024 Herald Media Group",
        "Copyright 2023 Associated Broadcasters. All rights reserved.",
        "This material may not be reproduced without permission.",
    ],
    "agency_credit": [
        "Reporting by Maria Lopez; Editing by Tom Baker",
        "(Additional reporting by Sam Lee in Paris; writing by Ann Cole)",
        "Our Standards: The Herald Trust Principles.",
    ],
    "share_prompt": [
        "If you enjoyed this guide, please feel free to share it. Questions? Write to me!",
        "Loved the episode? Share it with your friends using the buttons below.",
        "Help us spread the word about the podcast!",
    ],
    "contact_prompt": [
        "Do you have a story for us? Email news@herald.example",
        "Send us your pictures and videos",
        "Contact the reporter",
        "Contact staff writer Priya Natarajan at 555-0147 or pnatarajan@valleygazette.example.",
        "Email senior correspondent Tomas Berg at tberg@northpost.example",
    ],
    "syndication": [
        "Source: Herald Wire",
        "This story was first published on HeraldNews.com",
        "Read the full article on the Herald website",
    ],
    "related_links": [
        "Read more: Floods hit Somerset villages",
        "RELATED: Council votes on bus lanes",
        "Watch: Residents clear mud from their homes",
        "[See also: The week in pictures]",
        "Related reading: Five walks for a rainy weekend",
        "See also Why your water bill is going up",
        "Read more stories like this on valleygazette.com",
    ],
    "link_list": ["Related stories", "You may also like", "Latest news"],
    "link_list_tail": ["More from the Herald", "Most read in Sport", "Elsewhere on Nine"],
    "contributor_credit": [
        "Wire staff contributed to this report.",
        "Lena Fischer in Hamburg contributed reporting.",
    ],
    "author_link": [
        "About the Author",
        "View all posts by Priya Raman",
        "More articles by Tom Okafor",
    ],
    "disclaimer": [
        "Greystone Advisers does not provide tax or legal advice.",
        "This guide is for informational purposes only and does not constitute medical advice.",
        "The opinions expressed here are those of the author alone.",
        "TrailMate® is a registered trademark of Hillside Outdoors Ltd.",
        "This page has not been reviewed or endorsed by any of the lenders named above.",
        "This recipe page is not medical advice; ask your dietitian about allergies.",
        "The Guild of Certified Roofers owns the certification marks CRG® and Guild Roofer™.",
    ],
    "reader_appeal": [
        "This newsletter is kept alive by readers like you: thank you for reading.",
        "The Ledger is reader-supported: no paywall, no billboards, just readers like you.",
        "Please consider making a donation to keep Riverside Notes online.",
        "Become a patron of the Fenwick Review for three dollars a month.",
        "Before you go, we have a small favour to ask of you.",
        "If stories like this one matter to you, please consider chipping in what you can.",
        "Loved this issue? Please consider becoming a Harbour Notes member today.",
        "Become a paid subscriber to read the whole archive.",
    ],
    "affiliate_disclosure": [
        "This post may contain affiliate links.",
        "As an Amazon Associate I earn from qualifying purchases.",
        "We may earn a commission when you buy through links on our site.",
        "Prices were accurate at the time this article was published but may change.",
        "Purchases made through our links may earn us a commission.",
        "Gearhub earns commissions from some listed retailers.",
        "We may earn an affiliate commission if you buy through these links.",
        "Learn more about our review process.",
        "Products are selected independently by our editors.",
        "We independently test all the gear we recommend.",
        "Advertising Disclosure",
        "This episode may contain affiliate links.",
        "We may also use affiliate links in our guides. Thanks!",
        "Posted: · Updated: by · This recipe may contain affiliate links",
        "The Valley Gazette has a disclosure policy.",
    ],
    "newsletter_pitch": [
        "Start every Monday with our free garden newsletter.",
        "The Saturday Loaf - my weekly email newsletter where I share recipes and notes from the bakery.",
        "Fresh trail reports and gear picks, dropped right in your inbox.",
        "Join the newsletter for the next chapter.",
    ],
    "long_disclaimer": [
        "Disclaimer: The recipes and advice on Hearth & Field are shared for general interest"
        " only. They are not a substitute for the guidance of a registered dietitian or your"
        " doctor, and Hearth & Field accepts no liability for any loss or harm that follows"
        " from using them. Always check labels for allergens, and ask a professional before"
        " changing what you eat if you live with a medical condition of any kind. Prices and"
        " stockists named in a post were correct when it was written and may have changed"
        " since; write to us if you spot one that is out of date.",
        "The opinions expressed on this blog belong to its writers and commenters alone, and"
        " do not represent the views of the Riverbend Library Trust or its board. We cannot"
        " answer questions about individual accounts, loans or fines through this website:"
        " please write to the lending desk, or call us during opening hours, and a member of"
        " our staff will get back to you as soon as they can. Links to other sites are given"
        " for convenience only, and the Trust does not check or answer for what those sites"
        " publish, sell or collect about their visitors.",
    ],
    "gallery": [
        "Image 4 of 18",
        "Slide 2/9",
        "View gallery",
        "Click to enlarge image",
        "Press enter or click to view image in full size",
        "This slideshow requires JavaScript.",
    ],
    "rating_widget": [
        "Average rating 3.8 / 5. Vote count: 112",
        "Click on a star to rate it!",
        "No votes so far!",
        "4.9/5 (2,310 reviews)",
        "Rated 4.5 out of 5 based on 88 customer ratings",
    ],
    "feedback_widget": [
        "Was this article helpful?",
        "Yes No",
        "Thanks for signing up!",
        "Sharing is caring!",
        "Table of Contents",
        "Thanks! Your message has been sent.",
        "Oops! Something went wrong while submitting the form.",
        "This field is for validation purposes and should be left unchanged.",
        "* indicates required",
        "Something went wrong. Please try again",
        "Thank you for your feedback!",
        "We'll get back to you within 2 business days.",
    ],
    "dateline": [
        "Last updated: 14 April 2024",
        "Published on Mar 3, 2024 08:15 PM IST",
        "June 2, 2021 - Updated March 9, 2024",
        "Updated on",
        "[Submitted on 4 Mar 2024]",
        "Podcast - March 3, 2024",
        "Essay - Published: 2024.03.03 | housing | transport |",
        "calendar March 3, 2024",
        "Last Updated March, 2023",
        "This article was last updated May 2022.",
        "Last updated June 2, 2024 by Priya Raman.",
        "Last Updated on by Tom Okafor",
        "42 Comments | | Last Updated: April 2, 2021",
        "Metro Desk / cityherald.com / Updated: Mar 4, 2025, 09:15 GMT",
    ],
    "placeholder": [
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
        "- Lorem ipsum 2",
        "Image placeholder",
    ],
    "signup_call": [
        "Subscribe to The Valley Gazette",
        "Subscribe to get our monthly market report and 10% off your first order.",
        "Sign up and try Ledgerly free for 30 days!",
        "Join today",
        "Great! Check your inbox and click the link to confirm your subscription.",
        "We respect your privacy. Unsubscribe at any time.",
    ],
    # A vendor's hook and call (issue 11, clean14b).
    "promo_call": [
        "Ready to plan your move? Get a free quote today.",
        "Want to see how it works? Request a demo!",
        "Looking for a new accountant? Talk to our team of experts.",
    ],
    "form_consent": [
        "By clicking Join, you agree to our Terms of Use and Privacy Policy.",
        "By submitting this form I consent to be contacted by Harbor Roofing by phone or text.",
    ],
    "byline_dated": [
        "By Dana Kim, Home Energy and Solar Expert & Rui Ma Headshot Rui Ma, Senior Editor Last Updated on Feb 27, 2026",
        "By Tom Reyes, CFA, Senior Markets Analyst – Updated Mar 5, 2026 at 4:28 PM EST | Fact-checked by Ana Ruiz",
    ],
    "stamp_date": ["Nov 5, 2023", "SEPT 14, 2022", "Tue, 4 Feb. 2025 10:15 am"],
    "staff_title": [
        "Senior Features Writer",
        "Trends and Culture Correspondent",
        "Senior Lifestyle Editor",
    ],
    "engagement": ["2,417 views", "318 Shares", "4.2K likes · 96 comments"],
    "shop_button": [
        "$1,249.00 from Currys",
        "Now 25% off",
        "Check eBay Price",
        "£34.99 at Argos",
        # Shop calls of review pages (issue 11, December 2026): price buttons, stacked
        # badges, retailer calls.
        "See price at Currys",
        "Check Price on eBay $35 List $29.99 List",
        "View Deal at Boots",
        "Get Price",
        "12.5% OFF$24.99 at Boxly",
        "Buy now from one of our partner shops:",
        "Shop Asics Today",
        "Order Your Copy Now",
    ],
    "footer_link": ["Privacy Notice", "Older posts", "Next", "Terms of Service"],
    "breadcrumb": [
        "Home » News » Weather",
        "You are here: Home / Sport",
        "News | Local | Somerset",
    ],
}

#: Article lines that look like furniture and are not.
ARTICLE_LINES = [
    # Near misses of the blog's back link: a heading names what it goes back to.
    "Back to the blog's first year: a look at our oldest posts",
    "Back to Basics",
    "Share prices fell sharply on Monday after the announcement.",
    "By Friday, more than 300 homes had been flooded.",
    "The bakery said it sold 2,000 cookies on the first morning.",
    "Photo identification will be required at every polling station.",
    "Comments from the minister drew criticism from opposition MPs.",
    "Two of three comments on the draft asked the council to read its own policy again.",
    "By 2019, 40 comments a day reached the newsroom about the bridge.",
    "Published by Lantern Press",
    "Updated by hand every spring, the map shows 40 trails.",
    "Research by the university found that one in five bridges needs repair.",
    "First published in 1897, the novel has never been out of print.",
    "Latest figures",
    "Follow-up inspections are planned for the spring.",
    "Home Office officials declined to comment.",
    "Related costs rose by 4% last year.",
    "What happens next?",
    "More than 40 people were rescued by boat.",
    "Watch out for ice on the roads, the council said.",
    "Email scams have risen sharply, police say.",
    "Advertising revenue fell by a third.",
    "Subscribers were told about the price rise by email last week.",
    "“We will rebuild,” she said.",
    "“It is a disaster”",
    "Prices were not cheap",
    "Passports",
    "Two recent photographs",
    "14 April: evacuation orders issued for three villages",
    "Tom Baker, 54, has lived on the street for thirty years.",
    "Affiliate links let small blogs earn money from the products they recommend.",
    "Disclosure rules for lobbyists were tightened in 2019.",
    "Image 4 of the report shows the flood line.",
    "Breville Bambino – Best Espresso Machine for Beginners",
    "Contributors to the fund were thanked by the mayor.",
    "The author of the report, Dr Ama Mensah, said the figures were stark.",
    # Near misses of a publication's ask: a favour and membership as the article reports them.
    "Residents were asked to consider becoming volunteer firefighters.",
    "The club has a favour to return to the town after the flood.",
    # Near misses of the newsletter pitch: the reader's own newsletter, a label over a
    # list, newsletters as one channel of several.
    "Look at which subject lines worked best in your own newsletter last year.",
    "My newsletter has:",
    "Use social media, email newsletters and local radio to reach new members.",
    # Near miss of a long notice: an article's own long last paragraph with a notice's
    # words in it, not opening as a notice does.
    "The new certification mark will soon be joined by a national labelling scheme that"
    " manufacturers can apply for from next spring. Retailers said they were not responsible"
    " for checking every claim on a box, and that shoppers should look for both marks before"
    " buying a smoke alarm, a heater or a charger for an electric bike, since testing"
    " standards differ so much between the two schemes and the shops that sell them.",
    # Near misses of the families of issue 11: list items, subheadings and sentences.
    "- Wallet (credit/debit cards, cash, etc.)",
    "- Pro ($9/mo billed yearly): 4K exports, 2,000 AI credits/year",
    "Gaggia Classic Pro – Sturdy Espresso Machine for Beginners",
    "Kitchen, Bathroom, or Basement – Choosing What Comes First for You",
    "Learn more about the flood fund",
    "Get a quote from three builders before you sign anything.",
    "The report is a 10 min read, and worth it.",
    "Published in 1897, the novel has never been out of print.",
    "Updated guidance was published by the council on Monday.",
    "Agents earn a commission of about 2% on each sale.",
    "Our editors chose the cafés by visiting every one of them.",
    "- Behavioral tracking: use cookies to record which pages a visitor opens and improve the experience",
    "Official figures from the government show the gap narrowing.",
    "Lorem ipsum is derived from a passage of Cicero, and designers still use it.",
    "Why every journalist needs an editor",
    "It costs $1,249 at Currys and less online.",
    "Save 25% off the energy bill with these steps",
    "May 4, 2024",
    "Next, the council will vote on the plan.",
    "The deal was signed on Dec 19, 2025 in Brussels.",
    "Views on the plan were mixed.",
    "Sign up for an account, then open Settings.",
    "See also how the council spent the money.",
    "The regulator said the site has a privacy policy nobody reads.",
    "Instagram and TikTok",
    "Share icons were added to every page in 2019.",
    "By clicking the link, users agreed to terms they had not read, the regulator said.",
    "Subscription prices rose by 5% this year.",
    "Courtesy matters more than ever",
    "The image",
    "Photo of the week",
    # Near misses of a reader appeal: about donations, asking no one for them.
    "- Donations: viewers tip the streamer through a link under the video.",
    "The museum was kept alive by local families through the war years.",
    # Near misses of the shop-call and picture-source shapes.
    "Buy gifts for the wedding party",
    "Check the price of a return ticket before you travel.",
    "Shop owners on the high street",
    "Photos from the launch show crowds lining the quay.",
    "Images from the probe were sent back on Tuesday",
    "The report was shared — via email — with every councillor.",
    "See prices rise as the season starts",
    # Near misses of the file-name and call-button shapes.
    "Step-by-step",
    "Call 311 to report a blocked drain.",
    "415-555-0134",
    "Writers put the © symbol and a year on every page they publish.",
    # Near misses of the review buttons: a sentence sends the reader to a named review.
    "Read our review of the Nikon Z6 before you buy one.",
    "Read our full review of the Pixel 9",
    "See more reviews of the hotel on page 4.",
    # Near misses of a caption's credit behind a bar: a table row, a sentence after the name.
    "Camera | Photo by | Lens",
    # Near misses of the widgets' buttons: sentences with the same words.
    "No items were found in the attic after the fire.",
    "The placeholder names were replaced before the report went to print.",
    "Press Esc to close the menu, then choose Export.",
    "Listen to this story from a nurse who worked through the night.",
    # Near misses of a vendor's call: an article's question and advice name no offer.
    "Ready to start? Get a notebook and a pen.",
    "Need a break? Try a walk around the block before lunch.",
    "Want to Save Money? Try These 5 Apps Today",
    # Near misses of a caption's closing credit: "photographs by" inside a sentence.
    "Create depth in your photographs by using a wide aperture and a near foreground.",
    "The council took the photos. Photographs by residents go on show in the library in May.",
    # Near misses of a newsletter prompt: newsletters counted, or one channel in a list.
    "Be visible: use social media, email newsletters, and referrals to get new clients.",
    "I picked 28 newsletters I subscribe to as the test set for the filter.",
    # Near misses of a push-notification prompt: the article's question and how-to.
    "Do you want to get notifications? Open Settings, then tap Notifications.",
    "Would you like to receive notifications about flood warnings by text message, the council asked.",
    # Near misses of a contents label: sentences that open with its words.
    "In this article, we look at why the bridge closed twice in a month.",
    "Contents of the time capsule were shown to pupils on Friday.",
    "Winners | Photo by Dana Kim took first prize. The jury praised its light.",
    # Near misses of a comment pointer and a reporter's contact line: prose about them.
    "Comments via email rose by a third after the forum closed.",
    "Email writers often struggle to keep a subject line under six words.",
    "Contacting staff reporters directly was the quickest route, the inquiry found.",
]


_CLEANERS = {False: Cleaner.default(), True: Cleaner.build(detokenize=True)}
#: The line rules on their own: the section layer (tests/test_clean_sections.py) would
#: take a trailing header with what follows it before a line rule sees it.
_LINE_RULES = Cleaner.build(
    step_names=[n for n in STEP_NAMES if n not in ("sections", "detokenize")]
)


#: Every rule, without the learned cut at the page's end (tests/test_clean_tail_model.py).
_RULES_BUT_THE_TAIL_MODEL = Cleaner.build(
    step_names=[n for n in STEP_NAMES if n not in ("tail_model", "detokenize")]
)


def _clean(text: str, **ctx: str) -> tuple[str, list[str]]:
    result = _CLEANERS[False].clean(text, DocumentContext(**ctx))
    return result.text, [e.reason for e in result.edits]


def _reasons_for(line: str, text: str) -> list[str]:
    result = _LINE_RULES.clean(text)
    return [e.reason for e in result.edits if line in e.original]


def test_every_rule_of_the_rule_file_has_cases() -> None:
    names = {r.name for r in load_rules()}
    assert names == set(CASES), f"rules without cases: {names - set(CASES)}"


@pytest.mark.parametrize(
    ("rule", "line"), [(r, line) for r, lines in CASES.items() for line in lines]
)
def test_rule_removes_furniture_of_other_sites(rule: str, line: str) -> None:
    # In the tail of a page (after the last paragraph), as furniture mostly is ...
    text = f"{BEFORE}\n\n{AFTER}\n\n{line}\n"
    reasons = _reasons_for(line, text)
    assert reasons and f"boilerplate.{rule}" in reasons[0], (line, reasons)
    # ... and lowercased and tokenized, as older corpora have it.
    tokenized = " ".join(re.findall(r"\w+|[^\w\s]", line.casefold()))
    text = f"{BEFORE.casefold()}\n\n{tokenized}\n"
    assert f"boilerplate.{rule}" in " ".join(_reasons_for(tokenized, text)), tokenized


def test_rules_between_paragraphs_except_edge_rules() -> None:
    for rule, lines in CASES.items():
        zone = next(r.zone for r in load_rules() if r.name == rule)
        # a long notice between two short paragraphs is most of the page, and so in its
        # last quarter: a close rule's line is put above three paragraphs
        after = "\n\n".join([AFTER, *FURTHER]) if zone == "close" else AFTER
        for line in lines:
            text = f"{BEFORE}\n\n{line}\n\n{after}"
            cleaned, _ = _clean(text)
            if zone in ("edges", "tail", "close"):
                assert cleaned == text, line  # could be text in the middle
            elif rule != "link_list":  # a list header takes the next lines along
                assert cleaned == f"{BEFORE}\n\n{after}", (rule, line)


def test_article_lines_that_look_like_furniture_stay_byte_identical() -> None:
    text = "\n\n".join([BEFORE, *ARTICLE_LINES, AFTER])
    assert _clean(text)[0] == text
    text = "\n".join([BEFORE, *ARTICLE_LINES])  # one newline per paragraph, ending in the lines
    assert _clean(text)[0] == text


def test_a_headline_shaped_like_a_vendor_call_stays_at_the_top() -> None:
    # A listicle's title asks and commands as a vendor's call does, with no stop at its end.
    title = "Want to Save Money? Try These 5 Apps Today"
    tokenized = " ".join(re.findall(r"\w+|[^\w\s]", title.casefold()))
    for head in (title, tokenized):
        text = f"{head}\n\n{BEFORE}\n\n{AFTER}"
        assert _clean(text)[0] == text, head


#: A prompt at the foot of the page goes (the last line), but not a sentence that reports
#: people being asked, or followers, nor one asking to share with someone else, nor a quote.
FOOT_PROMPTS = {
    "share": (
        (
            "If you find a stray dog, share it with your neighbours first, the shelter's vet said.",
            "Share this with your landlord before you sign: the deposit clause is new.",
            "If you liked the old timetable, the operator has no plans to bring it back.",
        ),
        "If you found this useful, feel free to share it!",
    ),
    "follow": (
        (
            "Dozens of readers now follow us on Instagram for the daily crossword.",
            "The campaign asked voters to follow us on TikTok, and 40,000 of them did.",
            "Follow us on Facebook, the bakery's owner said, and you will see the queue.",
        ),
        "That's all for now, and follow me on Instagram!",
    ),
}


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("kind", sorted(FOOT_PROMPTS))
def test_a_reported_prompt_stays_at_the_foot(kind: str, lowercased: bool) -> None:
    form = tokenized if lowercased else (lambda text: text)
    kept, prompt = FOOT_PROMPTS[kind]
    for line in kept:
        text = form(f"{BEFORE}\n\n{AFTER}\n\n{line}")
        assert _clean(text)[0] == text, line
    text = form(f"{BEFORE}\n\n{AFTER}\n\n{prompt}")
    assert _clean(text)[0] == form(f"{BEFORE}\n\n{AFTER}")


HERALD_LIST = "Council votes on new bus lanes\nFive walks for a rainy weekend\nWhy your water bill is going up"


#: Article content that rules once removed (an audit's probes): name -> blocks of the body.
AUDITED_CONTENT: dict[str, list[str]] = {
    "byline_subheading": [
        "By the numbers",
        "- 4,000 residents responded\n- 12 libraries are affected",
    ],
    "list_subheading": [
        "Most popular destinations",
        "Lisbon and the Algarve coast\nPorto and the Douro valley\nMadeira and the Azores",
    ],
    "interview_subheading": ["More from the interview"],
    "latest_subheading": ["Latest on the strike"],
    "dash_line": ["Brexit — a vote for change"],
    "app_sentence": [
        "How to book",
        "Download the free NHS app to book appointments\nCall your surgery after 8am",
    ],
    "by_title_case": ["By The Numbers"],
    "dash_name_line": ["Council elections — a guide for voters"],
    "updated_subheading": ["Updated guidance published by the council"],
    # A second audit (issue 4): lines that rules took for furniture in any position.
    "source_under_figures": [
        "Unemployment rose to 4.4% in the three months to March, the highest rate for two years.",
        "Source: Office for National Statistics",
    ],
    "poll_result_subheading": [
        "Poll: most voters back the plan",
        "A survey of 2,000 adults for the council found that six in ten supported the new bus lanes.",
    ],
    "one_word_subheading": [
        "Home",
        "The house on Mill Lane has been in the family for three generations, and it shows.",
    ],
    "topics_line": [
        "Readers chose the three subjects the candidates were asked about at the hustings.",
        "Topics: housing, transport, schools",
    ],
    "live_blog_dates": [
        "Live updates",
        "Monday 14 April",
        "Evacuation orders were issued for three villages as the river rose by a metre overnight.",
        "10.32 BST",
        "The Environment Agency said the water level at the weir had begun to fall.",
    ],
}


@pytest.mark.parametrize("name", sorted(AUDITED_CONTENT))
@pytest.mark.parametrize("lowercased", [False, True])
def test_audited_article_content_in_the_body_stays_byte_identical(
    name: str, lowercased: bool
) -> None:
    text = "\n\n".join([BEFORE, *AUDITED_CONTENT[name], AFTER])
    if lowercased:  # as older corpora have it: no case left to tell a name by
        text = "\n".join(
            " ".join(re.findall(r"\w+|[^\w\s]", ln.casefold())) for ln in text.split("\n")
        )
    assert _clean(text)[0] == text
    one_newline = text.replace("\n\n", "\n")
    assert _clean(one_newline)[0] == one_newline


def test_edge_rules_still_take_their_furniture_at_the_top_and_the_foot() -> None:
    # The lines the second audit kept in the body go where page chrome is.
    page = (
        "Home\nSearch\nMenu\n\nSource: Herald Wire\n\nFloods cut off villages after a month of rain\n\n"
        f"By Maria Lopez\nMonday 14 April\n\n{BEFORE}\n\n{AFTER}\n\n"
        "Topics: housing, transport, schools\nPublished 14 April 2024\n"
    )
    cleaned, reasons = _clean(page)
    assert cleaned == f"Floods cut off villages after a month of rain\n\n{BEFORE}\n\n{AFTER}"
    for rule in ("menu_label", "syndication", "timestamp", "tags"):
        assert any(f"boilerplate.{rule}" in r for r in reasons), rule
    # A navigation line at the top is a breadcrumb, whatever its first word.
    for nav in ("Home > World > Middle East", "Home | News | Sport"):
        assert _clean(f"{nav}\n\n{BEFORE}")[0] == BEFORE


def test_a_poll_widget_goes_anywhere_but_a_poll_result_stays() -> None:
    widget = "Poll: Should the council close the libraries?\nVote now"
    for page in (f"{BEFORE}\n\n{widget}\n\n{AFTER}", f"{BEFORE}\n\n{AFTER}\n\n{widget}"):
        cleaned, reasons = _clean(page)
        assert cleaned == f"{BEFORE}\n\n{AFTER}"
        assert any("boilerplate.poll" in r for r in reasons)
    result = "Poll: most voters back the plan"
    page = f"{BEFORE}\n\n{AFTER}\n\n{result}"  # a statement, even at the foot
    assert _clean(page)[0] == page


def test_a_rating_widget_printed_as_counted_items_goes_but_an_articles_list_stays() -> None:
    # A product card's star widget, as an extractor prints its buttons: one to five.
    stars = "\n".join(f"• {n}" for n in range(1, 6))
    card = f"Trailblazer 2P Tent\n{stars}\nA roomy shelter that pitches in minutes."
    page = f"{BEFORE}\n\n{card}\n\n{AFTER}"
    cleaned, reasons = _clean(page)
    assert cleaned.replace("\n\n", "\n") == (
        f"{BEFORE}\nTrailblazer 2P Tent\nA roomy shelter that pitches in minutes.\n{AFTER}"
    )
    assert reasons.count("boilerplate.counter") == 5
    low = page.casefold().replace(".", " .")  # lowercased and tokenized
    cleaned, reasons = _clean(low)
    assert "• 3" not in cleaned and reasons.count("boilerplate.counter") == 5
    # Near misses: items that say something, a count that skips, two counts only.
    for items in (
        "- 1 cup flour\n- 2 eggs\n- 3 tbsp butter",
        "• 1\n• 2\n• 4",
        "• 2\n• 3\n• 4",
        "• 1\n• 2",
    ):
        page = f"{BEFORE}\n\n{items}\n\n{AFTER}"
        assert _clean(page)[0] == page, items


def test_related_and_watch_lines_between_paragraphs_are_still_furniture() -> None:
    # Deliberately kept as furniture in any position: mid-body, "Watch: ..." labels a
    # video embed and "Related: ..." links to another story, on topic or not. Nothing
    # in the line tells the rare subheading from the common embed.
    for line in (
        "Watch: the moment the bridge collapsed",
        "Related: what the cuts mean for schools",
    ):
        cleaned, reasons = _clean(f"{BEFORE}\n\n{line}\n\n{AFTER}")
        assert cleaned == f"{BEFORE}\n\n{AFTER}"
        assert any("boilerplate.related_links" in r for r in reasons)


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    "items",
    [
        "- Lisbon, where the old trams still climb the hills\n- Porto, where the port lodges line the river",
        "Lisbon, where the old trams still climb the hills\nPorto, where the port lodges line the river",
        "1. Lisbon, where the old trams still climb the hills\n2. Porto, where the port lodges line the river",
    ],
)
def test_a_short_subheading_over_a_list_at_the_top_is_not_a_kicker(
    items: str, lowercased: bool
) -> None:
    for page in (
        f"Most popular destinations\n{items}\n\n{BEFORE}",
        f"Portugal's cities draw record numbers of visitors\n\nMost popular destinations\n{items}\n\n{BEFORE}",
    ):
        if lowercased:
            page = "\n".join(
                " ".join(re.findall(r"\w+|[^\w\s]", ln.casefold())) for ln in page.split("\n")
            )
        assert _clean(page)[0] == page
    # Against furniture (no blank line between), a subheading over its list stays too.
    stamp = "Published: 14/04/2024 10:32"
    page = f"{stamp}\nWhere buyers are moving\n{items}\n{BEFORE}"
    assert _clean(page)[0] == page[len(stamp) + 1 :]


def test_link_list_takes_its_headlines_and_stops_at_running_text() -> None:
    page = f"{BEFORE}\n\nRelated stories\n{HERALD_LIST}\n\n{AFTER}\n"
    assert _clean(page)[0] == f"{BEFORE}\n\n{AFTER}"


def test_open_list_headers_go_after_the_article_over_other_stories_only() -> None:
    # At the end, over headlines about other things: a rail of other stories.
    cleaned, reasons = _clean(f"{BEFORE}\n\n{AFTER}\n\nMore from the Herald\n{HERALD_LIST}")
    assert cleaned == f"{BEFORE}\n\n{AFTER}"
    assert any("boilerplate.link_list_tail" in r for r in reasons)
    # In the middle, the same lines are the article's own subheading and list.
    page = f"{BEFORE}\n\nMore from the Herald\n{HERALD_LIST}\n\n{AFTER}"
    assert _clean(page)[0] == page
    # Above the article (after its title), a section that opens the body.
    page = f"Floods cut off villages\n\nMost popular destinations\n\n{HERALD_LIST}\n\n{BEFORE}"
    assert _clean(page)[0] == page
    # With nothing under it, a header is judged by its own words.
    assert _clean(f"{BEFORE}\n\n{AFTER}\n\nLatest on the embankment")[0].endswith("embankment")
    # At the end, over lines about the article: its closing section, kept.
    page = (
        f"{BEFORE}\n\n{AFTER}\n\nLatest on the floods\nPumps run on the damaged embankment\n"
        "Families leave their homes before dawn"
    )
    assert _clean(page)[0] == page


@pytest.mark.parametrize("sep", ["\n\n", "\n"])
def test_a_closing_list_ends_at_the_next_list_header(sep: str) -> None:
    # The article's closing section, then widgets, then a rail under a header of its
    # own: the rail's headlines are not the article's list, so they do not outvote it.
    closing = (
        "Latest on the floods\nPumps run on the damaged embankment\n"
        "Families leave their homes before dawn\nEngineers inspect the river defences"
    )
    article = sep.join([BEFORE, AFTER, closing])
    widgets = sep.join(["Share this article", "12 comments"])
    rail = "Most read in Sport\n" + HERALD_LIST
    result = _LINE_RULES.clean(sep.join([article, widgets, rail]) + "\n")
    assert result.text == article
    assert any("boilerplate.link_list_tail" in e.reason for e in result.edits)
    # Two rails in a row are each judged on their own lines, and both go.
    other = "Trending now\nCouncil votes on new bus lanes\nZoo names its new penguin chicks"
    page = sep.join([BEFORE, AFTER, "More from the Herald\n" + HERALD_LIST, widgets, other]) + "\n"
    assert _clean(page)[0] == sep.join([BEFORE, AFTER])


def test_head_furniture_takes_short_neighbours_but_not_the_title_or_a_subheading() -> None:
    page = (
        "Home » News » Weather\nMaria Lopez\nChief reporter\nPublished 3 March 2024\n\n"
        "Floods cut off villages after a month of rain\n\nWhat we know\n\n"
        f"{BEFORE}\n\n{AFTER}\n"
    )
    cleaned, reasons = _clean(page)
    assert (
        cleaned
        == f"Floods cut off villages after a month of rain\n\nWhat we know\n\n{BEFORE}\n\n{AFTER}"
    )
    assert any("boilerplate.adjacent" in r for r in reasons)


def test_pictures_of_people_and_thumbnails_go_but_headings_stay() -> None:
    # Alt text naming a person with a role, a picture with the page's title after a bar,
    # a card's thumbnail: removed anywhere, as the other photo credits.
    for line in (
        "Headshot of Dana Kim, Senior Garden Writer at Acme",
        "Picture of A Hiker On A Ridge | Acme Outdoors",
        "Thumbnail photo of Acme Trail Runner 3",
    ):
        text = f"{BEFORE}\n\n{line}\n\n{AFTER}"
        assert _clean(text)[0] == f"{BEFORE}\n\n{AFTER}", line
    # Lowercased and tokenized, a thumbnail's and a headshot's (no heading opens so).
    for line in (
        "headshot of dana kim , senior garden writer at acme",
        "thumbnail photo of acme trail runner 3",
    ):
        text = f"{BEFORE.casefold()}\n\n{line}\n\n{AFTER.casefold()}"
        assert _clean(text)[0] == f"{BEFORE.casefold()}\n\n{AFTER.casefold()}", line
    # Headings of the same opening stay.
    for line in ("Photo of the Week", "Picture of Health", "Portrait of a Lady on Fire"):
        text = f"{BEFORE}\n\n{line}\n\n{AFTER}"
        assert _clean(text)[0] == text, line


@pytest.mark.parametrize("lowercased", [False, True])
def test_tail_furniture_takes_the_short_lines_touching_it(lowercased: bool) -> None:
    # After the last paragraph: a widget's label and link touching the copyright and the
    # follow line go with them; a bulleted closing list touching a share line stays, and
    # so does a short line set apart by blank lines.
    form = tokenized if lowercased else (lambda text: text)
    article = form(f"{BEFORE}\n\n{AFTER}")
    footer = "Contact Info\n© 2025 Harbour Kitchen Ltd. All rights reserved.\nFollow us\nGood Eats"
    cleaned, reasons = _clean(f"{article}\n\n{form(footer)}")
    assert cleaned == article
    assert any("boilerplate.adjacent" in r for r in reasons)
    closing = "What to pack:\n• A warm hat\n• Spare socks\n• A flask"
    page = f"{article}\n\n{form(closing)}\n{form('Share on Facebook')}\n\nOur partners"
    rules_only = _RULES_BUT_THE_TAIL_MODEL.clean(page).text
    assert rules_only == f"{article}\n\n{form(closing)}\n\nOur partners"
    # the lone heading at the page's very end is the tail model's (a learned cut), the
    # closing list still stays
    cleaned, reasons = _clean(page)
    assert cleaned == f"{article}\n\n{form(closing)}"
    assert any("tail_model.cut(p=" in r for r in reasons)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_line_the_article_introduces_stays_though_furniture_touches_it(
    lowercased: bool,
) -> None:
    # The article's last line points to a link with a colon; a push-notification prompt
    # under it goes, the link stays. Without the colon, the same short line goes.
    form = tokenized if lowercased else (lambda text: text)
    article = form(f"{BEFORE}\n\n{AFTER}\nThe maps and the data are here:")
    link = "https://example.org/harbour-survey/2025"
    prompt = form("Would you like to receive notifications about new posts?")
    cleaned, reasons = _clean(f"{article}\n{link}\n{prompt}")
    assert cleaned == f"{article}\n{link}"
    assert any("boilerplate.browser_notice" in r for r in reasons)
    bare = form(f"{BEFORE}\n\n{AFTER}")
    assert _clean(f"{bare}\n\n{form('Harbour survey')}\n{prompt}")[0] == bare


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_line_held_between_tail_furniture_goes_with_it(lowercased: bool) -> None:
    # A pager's title between "Previous" and "Next" after the article goes; a sentence held
    # so, and a title touching furniture on one side only, stay.
    form = tokenized if lowercased else (lambda text: text)
    article = form(f"{BEFORE}\n\n{AFTER}")
    pager = "Previous\nHow we restored a 1930s bungalow on a budget\nNext"
    cleaned, reasons = _clean(f"{article}\n\n{form(pager)}")
    assert cleaned == article
    assert any("boilerplate.adjacent" in r for r in reasons)
    for kept in (
        "Previous\nWe restored the bungalow on a budget of ten thousand pounds.\nNext",
        "How we restored a 1930s bungalow on a budget\nNext",
    ):
        page = f"{article}\n\n{form(kept)}"
        line = form(kept.split("\n")[-2] if kept.startswith("Previous") else kept.split("\n")[0])
        assert line in _clean(page)[0], kept


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_articles_line_held_between_related_links_stays(lowercased: bool) -> None:
    # Between the paragraphs a page may set its related links around the article's own
    # short line: the links go, the line stays (only after the article does a held line go).
    form = tokenized if lowercased else (lambda text: text)
    held = (
        "Also read: Council votes on new bus lanes\n"
        "Topics: deposits, mortgage rates and the cost of commuting\n"
        "Also read: Five walks for a rainy weekend"
    )
    cleaned = _clean(form(f"{BEFORE}\n\n{held}\n\n{AFTER}"))[0]
    topics = form("Topics: deposits, mortgage rates and the cost of commuting")
    assert cleaned == form(f"{BEFORE}\n\n") + topics + form(f"\n\n{AFTER}")


def test_a_label_right_above_the_title_is_a_kicker() -> None:
    page = f"WEATHER\nFloods cut off villages after a month of rain\n\n{BEFORE}\n"
    cleaned, reasons = _clean(page)
    assert cleaned.startswith("Floods cut off villages")
    assert any("boilerplate.kicker" in r for r in reasons)
    # Without a title below it, a short line opening the text stays.
    assert _clean(f"WEATHER\n\n{BEFORE}")[0] == f"WEATHER\n\n{BEFORE}"


def test_author_bio_only_at_the_edges() -> None:
    bio = CASES["author_bio"][0]
    assert _clean(f"{BEFORE}\n\n{AFTER}\n\n{bio}")[0] == f"{BEFORE}\n\n{AFTER}"
    middle = f"{BEFORE}\n\n{bio}\n\n{AFTER}"
    assert _clean(middle)[0] == middle


def test_bare_headline_rail_goes_but_an_articles_closing_list_stays() -> None:
    rail = "Council votes on new bus lanes\nFive walks for a rainy weekend\nZoo names its new penguin chicks"
    cleaned, reasons = _clean(f"{BEFORE}\n\n{AFTER}\n\n{rail}")
    assert cleaned == f"{BEFORE}\n\n{AFTER}"
    assert any("footer.rail" in r for r in reasons)
    closing = "Flood defences: where the money goes\nEmbankment repairs on the river\nPumps for the flooded families\nNew flood defences for the river"
    page = f"{BEFORE}\n\nWhere the money goes:\n{closing}"
    assert _clean(page)[0] == page
    # A subheading of four words and more over its list: shorter than the items and
    # naming what they are about, or set apart from them by a blank line.
    timeline = (
        "How the fire spread\nFriday afternoon: fire reported in the hills above town\n"
        "Saturday: first evacuation orders for three villages\nSunday evening: coastal road closed"
    )
    page = f"{BEFORE}\n{timeline}"
    assert _clean(page)[0] == page
    page = f"{BEFORE}\n\nHow the decision was made\n\nA public consultation ran for six months\nMore than 4,000 people responded\nEight in ten supported the plan"
    assert _clean(page)[0] == page
    results = "Maria Lopez (Spain) 2:21:05\nAnna Berg (Sweden) 2:22:40\nLea Roux (France) 2:23:11"
    page = f"{BEFORE}\n\nLeading finishers\n{results}"
    assert _clean(page)[0] == page


RENTS = (
    "Average rents for new tenancies rose by 9% in the year to March, the fastest rise on "
    "record, as demand from tenants outstripped the homes available to let.",
    "Letting agents said landlords were passing on higher mortgage costs to tenants.",
)
BREACH_TITLE = "Parcel firm says hackers stole data of 40,000 customers"
BREACH = (
    "A parcel firm said hackers stole the names, email addresses and delivery notes of "
    "people who use its app.",
    "Quickship said it found the breach on Monday and had reset every password.",
)


@pytest.mark.parametrize("sep", ["\n\n", "\n"])
@pytest.mark.parametrize("lowercased", [False, True])
def test_a_closing_question_over_its_advice_stays_but_a_rail_goes(
    sep: str, lowercased: bool
) -> None:
    form = tokenized if lowercased else (lambda text: text)
    # A question about the article's subject ("tenants") over advice items without
    # closing punctuation, set apart by a blank line or not.
    advice = (
        "Check whether a proposed increase is in line with the area\n"
        "Ask for any increase in writing\nContact an advice service before signing"
    )
    page = form(sep.join([*RENTS, "What can tenants do?", advice]))
    assert _clean(page)[0] == page
    # The subject named in the title only, and in the plural there ("customers").
    answer = (
        "Be wary of emails that claim to come from Quickship\n"
        "Do not pay delivery fees asked for by text message\n"
        "Check your bank statements for unfamiliar payments"
    )
    page = form(sep.join([BREACH_TITLE, *BREACH, "What should a customer do?", answer]))
    assert _clean(page)[0] == page
    # Advice in full sentences is never a rail.
    sentences = "Ask for any increase in writing.\nContact an advice service before signing."
    page = form(sep.join([*RENTS, "What can tenants do?", sentences]))
    assert _clean(page)[0] == page
    # A rail of headlines at the end still goes, with or without a question among them,
    # when the question is about something else and nothing below answers from the article.
    article = form(sep.join(RENTS))
    for rail in (
        HERALD_LIST,
        "Who will win the cup?\nCouncil votes on new bus lanes\n"
        "Five walks for a rainy weekend\nZoo names its new penguin chicks",
    ):
        cleaned, reasons = _clean(article + sep + form(rail) + "\n")
        assert cleaned == article, rail
        assert any("footer.rail" in r for r in reasons)


BUSES = (
    "Harwick's bus operator will redraw its network from September, cutting five routes "
    "and running buses every ten minutes on the busiest corridors.",
    "Pensioners in Millbrook said the routes that remain would leave them without a "
    "Sunday service.",
)
ROUTES = (
    "Harwick to Millbrook via the hospital\nWestgate to the university campus\nThe town centre loop"
)


@pytest.mark.parametrize("sep", ["\n\n", "\n"])
@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("bullet", ["", "• "])
def test_a_closing_list_under_a_header_naming_the_articles_subject_stays(
    sep: str, lowercased: bool, bullet: str
) -> None:
    form = tokenized if lowercased else (lambda text: text)
    items = "\n".join(bullet + item for item in ROUTES.split("\n"))
    # "Most popular routes" in an article about routes, over three routes of which
    # one names its places: the header counts as one more line about the article.
    page = form(sep.join([*BUSES, "Most popular routes", items]))
    assert _clean(page)[0] == page
    article = form(sep.join(BUSES))
    rail = "Police appeal after crash on ring road\nPop star cancels tour dates\nBakery chain to open 50 new shops"
    on_topic = "Harwick to Millbrook buses every ten minutes"
    for tail in (
        # The same header over headlines none of which is about the article.
        "Most popular routes\n" + rail,
        # A header pointing to a section or a publisher, named in the article: one
        # headline about it does not keep the rail.
        "Most read in Harwick\n" + on_topic + "\n" + rail,
        "More from Harwick\n" + on_topic + "\n" + rail,
        # The bare header, and a header of list words only ("popular", "stories").
        "Most popular\n" + on_topic + "\n" + rail,
        "Most popular stories\n" + on_topic + "\n" + rail,
    ):
        cleaned, reasons = _clean(article + sep + form(tail) + "\n")
        assert cleaned == article, tail
        assert any("boilerplate.link_list" in r for r in reasons), tail


def test_truncated_teasers_of_another_site_are_removed() -> None:
    # A rail cut at a fixed length, headlines glued to their standfirsts.
    teasers = [
        t[:92]
        for t in (
            "Council votes on new bus lanesAfter years of complaints from drivers and cyclists, the plan",
            "Zoo names its new penguin chicksA public vote drew more than ten thousand entries from schools",
            "Five walks for a rainy weekendFrom short riverside loops to a full day on the ridge above the",
        )
    ]
    cleaned, reasons = _clean(f"{BEFORE}\n{AFTER}\n" + "\n".join(teasers))
    assert cleaned == f"{BEFORE}\n{AFTER}"
    assert any("footer.teaser" in r for r in reasons)


def test_mojibake_of_another_site_is_repaired_with_offsets_kept() -> None:
    raw = "The mayorâ€™s office said the cafÃ© would reopen.\nAdvertisement\n"
    result = _CLEANERS[False].clean(raw)
    assert result.text == "The mayor’s office said the café would reopen."
    assert rebuild_raw(result.text, result.edits) == raw


def test_a_maintainers_rule_file_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "site.yaml"
    extra.write_text(
        "rules:\n"
        "  - name: herald_slogan\n"
        "    phrases: ['The Herald: news you can trust']\n"
        "  - name: advertisement\n"
        "    phrases: ['paid for by our partners']\n",
        encoding="utf-8",
    )
    cleaner = Cleaner.build(rule_files=[extra])
    # (a blank line sets "Advertisement" apart: touching the removed line, it would go as
    # a short neighbour of furniture after the article)
    result = cleaner.clean(
        f"{BEFORE}\nThe Herald - news you can trust\nPaid for by our partners\n\nAdvertisement"
    )
    assert result.text == f"{BEFORE}\n\nAdvertisement"  # the override replaced the built-in phrases
    assert "boilerplate.herald_slogan" in result.edits[0].reason


def test_a_maintainers_rule_file_uses_the_built_in_fragments(tmp_path: Path) -> None:
    extra = tmp_path / "site.yaml"
    extra.write_text(
        "define:\n  desk: '(news|sports) desk'\n"
        "rules:\n  - name: herald_desk\n    patterns: ['{{name}} for the {{desk}}']\n",
        encoding="utf-8",
    )
    cleaner = Cleaner.build(rule_files=[extra])
    page = f"{BEFORE}\nMaria Lopez for the news desk\nThe mayor for the news desk"
    assert cleaner.clean(page).text == f"{BEFORE}\nThe mayor for the news desk"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules:\n  - name: x\n    patterns: ['(']\n", "bad regular expression"),
        ("rules:\n  - name: x\n    vocabulary: [share, on]\n    require: [share]\n", "quote words"),
        ("rules:\n  - name: x\n    phrase: [oops]\n", "unknown keys"),
        ("rules: [\n", "not valid YAML"),
        ("rules:\n  - name: x\n    patterns: ['by {{nobody}}']\n", "unknown fragment"),
        ("rules:\n  - name: x\n    off_topic: true\n    phrases: [x]\n", "needs 'block: list'"),
    ],
)
def test_bad_rule_files_are_reported_with_their_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as info:
        load_rules(path)
    assert "broken.yaml" in str(info.value)


def test_clean_cli_reports_a_bad_rule_file_without_a_traceback(run_cli, tmp_path: Path) -> None:
    extra = tmp_path / "x.yaml"
    extra.write_text("rules:\n  - name: x\n    patterns: ['(']\n", encoding="utf-8")
    bad = run_cli("clean", "--rules", str(extra), stdin=f"{BEFORE}\n")
    assert bad.code == 1 and "x.yaml" in bad.stderr and "Traceback" not in bad.stderr


# -- text form and detokenizing ------------------------------------------------------------
def test_text_form_is_detected_robustly() -> None:
    tokenized = (
        'the minister \' s plan , which was tried - and - trusted , failed . " no " , he said .'
    )
    assert detect_text_form(tokenized) == "lowercased_tokenized"
    # A few capitals from furniture glued on do not make it cased.
    assert detect_text_form(tokenized * 5 + "\nShare\n") == "lowercased_tokenized"
    assert detect_text_form("The minister's plan, which was tried-and-trusted, failed.") == "cased"
    # Lowercased but not tokenized, and cased but tokenized: both are "cased" rows ...
    assert detect_text_form("the minister's plan, which failed, was tried and trusted.") == "cased"
    form = text_form("The minister 's plan , which failed , was tried and trusted .")
    assert (
        form.label == "cased" and form.tokenized and not form.lowercased
    )  # ... with the facts kept


def test_detokenizing_changes_only_spacing_and_keeps_the_offset_map() -> None:
    raw = "the minister ' s plan , which was tried - and - trusted , cost £ 8 . 4m ( 3 , 000 jobs ) .\n\" we don ' t know \" , he said .\n"
    result = Cleaner.build(detokenize=True).clean(raw)
    assert (
        result.text
        == "the minister's plan, which was tried-and-trusted, cost £8.4m (3,000 jobs).\n\"we don't know\", he said."
    )
    assert rebuild_raw(result.text, result.edits) == raw
    assert all(not e.original.strip() and not e.replacement.strip() for e in result.edits)
    # A span on the raw text lands on the same words.
    start = raw.index("tried - and - trusted")
    mapped = map_span(result.edits, start, start + len("tried - and - trusted"))
    assert result.text[mapped.start : mapped.end] == "tried-and-trusted"
    # Cased text is never touched by the detokenizer.
    cased = f"{BEFORE} It said: “No.”"
    assert Cleaner.build(detokenize=True).clean(cased).text == cased


# -- repetition across a publisher's documents ---------------------------------------------
def _pages(n: int) -> list[str]:
    return [
        f"Story {i}: the river rose by {i + 2} metres overnight and {i * 7 + 3} homes were flooded.\n"
        "The Herald: proudly independent since 1851\n"
        f"Officials in district {i} said pumps would run all week."
        for i in range(n)
    ]


def test_a_page_of_more_lines_than_sqlite_takes_parameters_is_counted(tmp_path: Path) -> None:
    # SQLite caps a statement's parameters (999 before 3.32, still bundled on some
    # platforms): a page of more distinct running lines than that was one query.
    import sqlite3

    db = sqlite3.connect(str(tmp_path / "lines.sqlite"))
    db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    counter = SqliteLineCounter(db)
    lines = [
        f"Officials in district {i} said the pumps would run all week and then stop."
        for i in range(1500)
    ]
    counter.add_many([("Herald", "\n".join(lines)), ("Herald", "\n".join(lines[::-1]))])
    # the second page is the first's lines again: a near copy, counted once
    (docs,) = db.execute("SELECT docs FROM line_publishers").fetchone()
    assert docs == 1


def test_a_page_over_the_line_limit_is_not_counted_by_the_pre_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpus_helpers import article_text, make_corpus

    from builder.errors import DataError
    from builder.pipeline import build

    def text(i: int) -> str:
        lines = [f"Line {n} of a page, from Reuters." for n in range(60)]
        return "\n".join(lines) if i == 0 else article_text(i)

    config = {
        "cleaning": {"publisher_repetition": {"enabled": True}},
        "limits": {"max_article_lines": 50},
    }
    make_corpus(tmp_path / "in", 3, text=text, config=config)
    counted: list[str] = []
    real = SqliteLineCounter.add

    def recording(self: SqliteLineCounter, publisher: str | None, page: str) -> None:
        counted.append(page)
        real(self, publisher, page)

    monkeypatch.setattr(SqliteLineCounter, "add", recording)
    with pytest.raises(DataError):  # the main pass refuses the long page, located
        build(tmp_path / "in", tmp_path / "out")
    assert len(counted) == 2 and not any(page.startswith("Line 0 of a page") for page in counted)


def test_lines_a_publisher_repeats_are_removed_for_that_publisher_only(tmp_path: Path) -> None:
    memory = LineCounter()
    sqlite = SqliteLineCounter(tmp_path / "lines.sqlite")
    for page in _pages(4):
        memory.add("Herald", page)
    sqlite.add_many(("Herald", p) for p in _pages(4))
    for table in (memory.frozen(), sqlite.frozen()):
        assert table.is_repeated("Herald", "THE HERALD - proudly independent since 1851")
        assert not table.is_repeated("Courier", "The Herald: proudly independent since 1851")
        step = RepeatedLinesStep(table)
        page = _pages(5)[4]
        edits = step.find_edits(page, DocumentContext(publisher="Herald"))
        assert [page[e.start : e.end] for e in edits] == [
            "The Herald: proudly independent since 1851\n"
        ]
        assert step.find_edits(page, DocumentContext(publisher="Courier")) == []


def test_duplicate_stories_do_not_make_their_own_lines_furniture() -> None:
    counter = LineCounter()
    story = f"{BEFORE}\nFlood defences\n{AFTER}"
    for copy in (story, story + "\nShare", "Updated\n" + story):  # the same story, three times
        counter.add("Herald", copy)
    table = counter.frozen()
    assert not table.is_repeated("Herald", "Flood defences")
    assert not table.is_repeated("Herald", BEFORE)


# -- the offset map holds, whatever the page ----------------------------------------------
_LINES = [
    BEFORE,
    AFTER,
    "Share",
    "Advertisement",
    "By Maria Lopez",
    "Home » News",
    "Read more: Floods hit villages",
    "the river ' s banks burst , officials said .",
    "The mayorâ€™s office",
    "What we know",
    "\u00a0Tabs\tand\u200bzero width ",
    "",
    "Council votes on new bus lanes\r",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(_LINES), min_size=1, max_size=14),
    sep=st.sampled_from(["\n", "\n\n", "\r\n"]),
    detokenize=st.booleans(),
)
def test_any_page_cleans_to_a_text_that_rebuilds_the_raw_text(
    lines: list[str], sep: str, detokenize: bool
) -> None:
    raw = sep.join(lines)
    result = _CLEANERS[detokenize].clean(raw)
    assert rebuild_raw(result.text, result.edits) == raw
    for e in result.edits:
        assert raw[e.raw_start : e.raw_end] == e.original
        assert result.text[e.clean_start : e.clean_end] == e.replacement
    # Words of the body that no edit touched are found at their mapped place.
    for word in re.finditer(r"Flood|county", raw):
        mapped = map_span(result.edits, word.start(), word.end())
        if mapped.status == "anchored":
            assert result.text[mapped.start : mapped.end] == word.group()


def test_step_on_its_own_reports_rule_names() -> None:
    step = BoilerplateLines()
    text = f"{BEFORE}\n12 comments\n"
    edits = step.find_edits(text, DocumentContext())
    assert [(text[e.start : e.end], e.reason) for e in edits] == [
        ("12 comments\n", "boilerplate.comment_widget")
    ]


# The fast counters in text_form against the plain regex definitions they replace.
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# Every start of a split clitic, overlapping ones included ("a ' s ' s" holds two).
_SPLIT_CLITIC = re.compile(r"(?=\w\s+['’]\s*(?:s|t|re|ve|ll|d|m)\b|\w\s+n['’]t\b)")
_TOKENISH = st.text(
    st.sampled_from([*"ab sStnmdlrv'’_9\n", "é", "ß", "Ж", "٣", "ǅ", "😀", "\u0301"])
)


@given(_TOKENISH)
@example("israel ' s war , do n't , it ’ s _ ' s 9 's a ' s ' s x n 't")
def test_text_form_counters_match_their_regex_definitions(text: str) -> None:
    assert _count_letters(text) == sum(map(len, _LETTER_RUNS.findall(text)))
    assert _count_split_clitics(text) == len(_SPLIT_CLITIC.findall(text))


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_pagers_titles_go_with_its_labels_after_the_article(lowercased: bool) -> None:
    # "Previous" and "Next" over the titles of the posts either side, one of which closes
    # like a sentence (it would be the article's last paragraph); or label and title on
    # one line. The article's own "Next steps:" over its list, and a paragraph opening
    # with "Next", stay.
    form = tokenized if lowercased else (lambda text: text)
    article = form(f"{BEFORE}\n\n{AFTER}")
    pager = (
        "Previous\n\nA Weekend on the Coast Path: Where We Walked and Ate\nNext\n\n"
        "Why the Old Ferry Still Runs Every Summer, and Who Keeps It Going!"
    )
    cleaned, reasons = _clean(f"{article}\n\n{form(pager)}")
    assert cleaned == article
    assert any("boilerplate.pager" in r for r in reasons)
    one_line = "Previous article Ten Ways to Dry Out a Flooded Cellar\nNext post How Pumps Work"
    assert _clean(f"{article}\n\n{form(one_line)}")[0] == article
    own = "Next steps:\n• Check the insurance policy\n• Photograph the damage"
    page = f"{article}\n\n{form(own)}"
    assert _clean(page)[0] == page
    opening = form("Next, the council will publish its report on the embankment in March.")
    page = f"{form(BEFORE)}\n\n{opening}\n\n{form(AFTER)}"
    assert _clean(page)[0] == page
