"""Main-text extraction from news HTML: trafilatura against resiliparse.

    .venv/bin/pip install resiliparse          # not a dependency: only for this comparison
    .venv/bin/python bench/bench_html_extract.py -n 40

The pages are made here: the gold article bodies of ../shared/cleaning-dev (real
articles, human-reviewed text) set into three realistic news-site layouts with
their furniture (navigation, cookie banner, share bar, figure captions, a
newsletter box, related stories, comments, footer). Each extractor's output is
scored as ../shared/cleaning-dev/score.py scores a cleaner: bag-of-token
precision, recall and F1 against the gold, the share of pages losing more than
5% of the gold, and time per page (runs interleaved, medians of 3).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

DEV = Path(__file__).resolve().parents[2] / "shared" / "cleaning-dev" / "residual.jsonl.gz"
if not DEV.exists():
    DEV = Path("/work/shared/cleaning-dev/residual.jsonl.gz")
TOK = re.compile(r"\w+")

NAV = """<header class="site-header"><a class="logo" href="/">The Daily Ledger</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li><li><a href="/tech">Technology</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
<form class="search"><input name="q" placeholder="Search"></form>
<a class="subscribe" href="/subscribe">Subscribe from $1 a week</a></header>
<div class="cookie-banner">We use cookies to improve your experience. By continuing you accept
our <a href="/cookies">cookie policy</a>. <button>Accept all</button></div>"""
SHARE = """<div class="share"><span>Share this article</span><a href="#">Facebook</a>
<a href="#">Twitter</a><a href="#">Email</a><a href="#">Copy link</a></div>"""
NEWSLETTER = """<aside class="newsletter"><h3>Sign up for the Morning Briefing</h3>
<p>Get the day's top stories in your inbox every weekday morning.</p>
<form><input type="email" placeholder="Your email"><button>Sign up</button></form></aside>"""
RELATED = """<section class="related"><h2>More from World</h2><ul>
<li><a href="/a1">Markets rally as central bank signals pause in rate rises</a></li>
<li><a href="/a2">Opposition leader calls for inquiry into procurement deals</a></li>
<li><a href="/a3">Storm leaves thousands without power across the region</a></li>
<li><a href="/a4">Five things we learned from this week's summit</a></li></ul></section>"""
COMMENTS = """<section id="comments"><h2>Comments (3)</h2>
<div class="comment"><b>reader_42</b> <time>2 hours ago</time><p>Great piece, thanks for
covering this.</p></div><div class="comment"><b>J. Morales</b><p>I disagree with the framing
of the second half entirely.</p></div><div class="comment"><b>anon</b><p>First!</p></div>
</section>"""
FOOTER = """<footer><p>&copy; 2024 The Daily Ledger Media Group. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>
<li><a href="/ads">Advertise with us</a></li></ul></footer>"""


def _paragraphs(gold: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", gold) if p.strip()]


def page(doc: dict, layout: int) -> str:
    """One news page holding ``doc``'s gold body, in one of three layouts."""
    paras = _paragraphs(doc["gold"])
    title = html.escape(doc.get("title") or "Untitled")
    body = []
    for i, p in enumerate(paras):
        body.append(f"<p>{html.escape(p)}</p>")
        if i == 1:
            body.append(
                '<figure><img src="/img/1.jpg" alt=""><figcaption>A scene from the day. '
                "Photograph: Staff/Agency</figcaption></figure>"
            )
        if i == 3 and layout == 1:
            body.append('<div class="ad">Advertisement</div>' + NEWSLETTER)
    article = "\n".join(body)
    byline = (
        '<p class="byline">By <a href="/staff/ana">Ana Ruiz</a>, Political Correspondent</p>'
        '<time datetime="2024-04-15T09:30:00Z">15 April 2024</time>'
    )
    if layout == 0:
        main = f"<article><h1>{title}</h1>{byline}{SHARE}<div class='body'>{article}</div>{SHARE}</article>"
        rest = RELATED + COMMENTS
    elif layout == 1:
        main = f"<main><div class='headline'><h1>{title}</h1></div>{byline}<div class='story'>{article}</div></main>"
        rest = f"<div class='sidebar'>{RELATED}</div>"
    else:
        main = f"<div id='content'><h1 class='entry-title'>{title}</h1>{byline}<div class='entry-content'>{article}</div><div class='tags'>Tags: <a>Politics</a> <a>Europe</a></div></div>"
        rest = NEWSLETTER + COMMENTS
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | The Daily "
        f"Ledger</title><meta property='og:site_name' content='The Daily Ledger'></head><body>"
        f"{NAV}{main}{rest}{FOOTER}</body></html>"
    )


def score(gold: str, text: str) -> tuple[float, float, float, bool]:
    g, t = Counter(TOK.findall(gold.lower())), Counter(TOK.findall(text.lower()))
    common = sum((g & t).values())
    p = common / max(1, sum(t.values()))
    r = common / max(1, sum(g.values()))
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, r < 0.95


def extractors() -> dict[str, Callable[[str], str]]:
    import trafilatura

    found: dict[str, Callable[[str], str]] = {
        "trafilatura": lambda h: trafilatura.extract(h, include_comments=False) or "",
    }
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        found["resiliparse"] = lambda h: extract_plain_text(HTMLTree.parse(h), main_content=True)
    except ImportError:
        print("resiliparse is not installed: only trafilatura is measured")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="pages (articles of cleaning-dev)")
    args = parser.parse_args()
    docs = []
    with gzip.open(DEV, "rt", encoding="utf-8") as handle:
        for line in handle:
            docs.append(json.loads(line))
            if len(docs) == args.n:
                break
    pages = [(d["gold"], page(d, i % 3)) for i, d in enumerate(docs)]
    tools = extractors()
    times: dict[str, list[float]] = {name: [] for name in tools}
    results: dict[str, list[tuple[float, float, float, bool]]] = {}
    for _ in range(3):  # interleaved rounds; the median time is reported
        for name, fn in tools.items():
            start = time.perf_counter()
            outs = [fn(h) for _, h in pages]
            times[name].append(time.perf_counter() - start)
            results[name] = [score(g, o) for (g, _), o in zip(pages, outs, strict=True)]
    print(f"{len(pages)} pages, 3 layouts; tokens vs gold (as cleaning-dev/score.py)")
    print(f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'lost5':>6} {'ms/page':>8}")
    for name, rows in results.items():
        p, r, f1 = (statistics.mean(x[i] for x in rows) for i in range(3))
        lost = sum(x[3] for x in rows) / len(rows)
        ms = 1000 * statistics.median(times[name]) / len(pages)
        print(f"{name:<12} {p:6.3f} {r:6.3f} {f1:6.3f} {lost:6.3f} {ms:8.2f}")


if __name__ == "__main__":
    main()
