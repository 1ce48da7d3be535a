"""A scan of published texts for personal data: e-mail, phone, IBAN, card, IP address.

News names people; the names of public figures are the point of the text and
are not findings. What a news article should not carry into a dataset are the
contact and account details of private persons that scrapes pick up (reader
comments, "contact the author" boxes, leaked documents). Each detector finds
candidates with a cheap pattern and confirms them with a real check
(``phonenumbers`` for phones, ``python-stdnum`` for IBAN and Luhn, ``ipaddress``),
so ordinary numbers (years, counts, dates) are not reported.

Findings are reported masked: the report and the card must not repeat the
data they warn about.

Example:
    >>> scanner = PrivacyScanner()
    >>> [(f.kind, f.masked) for f in scanner.scan("Write to jane.doe@example.com today.")]
    [('email', 'j***@example.com')]
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PRIVACY_KINDS", "Finding", "PrivacyScanner", "PrivacySummary", "scan_column"]

PRIVACY_KINDS = ("email", "phone", "iban", "credit_card", "ip_address")
_DETECTION_ORDER = ("email", "iban", "credit_card", "ip_address", "phone")

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
# Something with at least seven digits, as phone numbers are written.
_PHONE_CANDIDATE = re.compile(r"(?:\+|\(|\b)\d[\d\s().\-/]{5,22}\d\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\d.,-])(?:\d[ -]?){12,18}\d(?![\d.,-]?\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
#: Issuer prefixes of payment cards (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay).
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6)")

# Prefilters: a text without a match of one cannot hold a finding of its kinds, as
# each is a substring of every match of the detectors' patterns. They are cheap
# because they start with a character class or a literal (the detectors start
# with a lookbehind or an alternation, which the regex engine tries at every
# position): on news text they cut the scan to a third.
#: a digit run as phones, cards and IPv4 addresses are written (7+ characters)
_DIGIT_RUN = re.compile(r"\d[\d\s().\-/]{5,}\d")
#: kind -> patterns, any of which may match (one alternation would lose the
#: engine's literal-prefix scan for the IPv6 colon)
_PREFILTERS = {
    "email": (re.compile(r"@"),),
    "phone": (_DIGIT_RUN,),
    "credit_card": (re.compile(r"\d(?:[ -]?\d){12}"),),
    "ip_address": (re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d"), re.compile(r":[0-9A-Fa-f]{0,4}:")),
    "iban": (re.compile(r"[A-Z]{2}\d\d"),),
}


def _re2_class(python_class: str) -> str:
    """Python's ``python_class`` (``\\d``, ``\\s``: Unicode-wide for ``str``) as RE2 ranges,
    read from Python's own tables, so an RE2 prefilter matches exactly where the
    Python one does (RE2's own ``\\d`` and ``\\s`` are ASCII-only)."""
    every_char = _every_char()
    points = [ord(c) for c in re.findall(python_class, every_char)]
    ranges, first, last = [], points[0], points[0]
    for c in points[1:]:
        if c != last + 1:
            ranges.append((first, last))
            first = c
        last = c
    ranges.append((first, last))
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


@cache
def _every_char() -> str:
    """Every code point but the surrogates, as one string (decoded in C: 5 ms, not 90)."""
    points = np.concatenate((np.arange(0xD800), np.arange(0xE000, 0x110000))).astype("<u4")
    return points.tobytes().decode("utf-32-le")


@cache
def _re2_prefilters() -> dict[str, tuple[str, ...]]:
    """:data:`_PREFILTERS` for RE2 (``pyarrow.compute``), to test a whole column of
    texts in C++; ``tests/test_pii.py`` checks each agrees with its Python pattern."""
    d, s = _re2_class(r"\d"), _re2_class(r"\s")
    return {
        "email": ("@",),
        "phone": (f"[{d}][{d}{s}().\\-/]{{5,}}[{d}]",),
        "credit_card": (f"[{d}](?:[ -]?[{d}]){{12}}",),
        "ip_address": (
            f"[{d}]\\.[{d}]{{1,3}}\\.[{d}]{{1,3}}\\.[{d}]",
            ":[0-9A-Fa-f]{0,4}:",
        ),
        "iban": (f"[A-Z]{{2}}[{d}][{d}]",),
    }


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data at ``text[start:end]``; ``masked`` is safe to print."""

    kind: str
    start: int
    end: int
    masked: str


def _mask(kind: str, value: str) -> str:
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == "ip_address":
        return value.split(".")[0] + ".***" if "." in value else value.split(":")[0] + ":***"
    digits = re.sub(r"\D", "", value) if kind != "iban" else value.replace(" ", "")
    return f"{digits[:2]}***{digits[-2:]}"


@dataclass(frozen=True)
class PrivacyScanner:
    """Finds personal data in a text; which kinds, regions and allowed values are configurable."""

    kinds: tuple[str, ...] = PRIVACY_KINDS
    phone_regions: tuple[str, ...] = ("US", "GB")
    allow: frozenset[str] = frozenset()

    def scan(self, text: str) -> list[Finding]:
        found: dict[tuple[int, int], Finding] = {}
        digits = _DIGIT_RUN.search(text) is not None
        # Most specific first: a card or IBAN number must not be taken for a phone.
        for kind in sorted(self.kinds, key=_DETECTION_ORDER.index):
            if kind in ("phone", "credit_card") and not digits:
                continue
            if not any(p.search(text) for p in _PREFILTERS[kind]):
                continue
            for start, end in getattr(self, f"_{kind}")(text):
                value = text[start:end]
                if value in self.allow or (start, end) in found:
                    continue
                if any(s < end and start < e for s, e in found):
                    continue  # an earlier kind already covers it (an e-mail's digits, say)
                found[(start, end)] = Finding(kind, start, end, _mask(kind, value))
        return sorted(found.values(), key=lambda f: (f.start, f.end))

    # -- detectors: (start, end) of confirmed findings ---------------------------------
    @staticmethod
    def _email(text: str) -> Iterator[tuple[int, int]]:
        if "@" in text:
            for m in _EMAIL.finditer(text):
                yield m.span()

    def _phone(self, text: str) -> Iterator[tuple[int, int]]:
        import phonenumbers

        seen: set[tuple[int, int]] = set()
        for cand in _PHONE_CANDIDATE.finditer(text):
            # Only around candidates: the matcher is thorough but slow on long texts.
            lo = max(0, cand.start() - 8)
            window = text[lo : cand.end() + 8]
            for region in (*self.phone_regions, None):
                matches = phonenumbers.PhoneNumberMatcher(
                    window, region, leniency=phonenumbers.Leniency.VALID
                )
                for m in matches:
                    span = (lo + m.start, lo + m.end)
                    if span not in seen and sum(c.isdigit() for c in m.raw_string) >= 7:
                        seen.add(span)
                        yield span

    @staticmethod
    def _iban(text: str) -> Iterator[tuple[int, int]]:
        from stdnum import iban

        for m in _IBAN.finditer(text):
            if iban.is_valid(m.group()):
                yield m.span()

    @staticmethod
    def _credit_card(text: str) -> Iterator[tuple[int, int]]:
        from stdnum import luhn

        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
                yield m.span()

    @staticmethod
    def _ip_address(text: str) -> Iterator[tuple[int, int]]:
        for pattern in (_IPV4, _IPV6):
            for m in pattern.finditer(text):
                try:
                    address = ipaddress.ip_address(m.group())
                except ValueError:
                    continue
                if not (address.is_loopback or address.is_unspecified):
                    yield m.span()


@dataclass
class PrivacySummary:
    """Counts over a build, plus the first findings (masked) for the report."""

    scanned: int = 0
    articles_with_findings: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    #: (article id, finding); bounded, the counts are complete.
    examples: list[tuple[str, Finding]] = field(default_factory=list)
    max_examples: int = 1000

    def add(self, article_id: str, findings: list[Finding]) -> None:
        self.scanned += 1
        if not findings:
            return
        self.articles_with_findings += 1
        for f in findings:
            self.counts[f.kind] += 1
            if len(self.examples) < self.max_examples:
                self.examples.append((article_id, f))

    def merge(self, other: PrivacySummary) -> None:
        self.scanned += other.scanned
        self.articles_with_findings += other.articles_with_findings
        self.counts.update(other.counts)
        room = self.max_examples - len(self.examples)
        self.examples.extend(other.examples[: max(0, room)])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "scanned_articles": self.scanned,
            "articles_with_findings": self.articles_with_findings,
            "findings": {k: self.counts.get(k, 0) for k in PRIVACY_KINDS},
            "total_findings": self.total,
        }


def may_hold_findings(kinds: Iterable[str], texts: pa.Array | pa.ChunkedArray) -> list[bool]:
    """Per text: whether a prefilter of one of ``kinds`` matches it (RE2 over the whole
    column). A text it rules out has no finding: every detection needs a match of
    its kind's prefilter (see :meth:`PrivacyScanner.scan`)."""
    patterns = [p for kind in dict.fromkeys(kinds) for p in _re2_prefilters()[kind]]
    if not patterns:
        return [False] * len(texts)
    # One alternation: RE2's automaton tests all of them in one pass over each text.
    found = pc.match_substring_regex(texts, "|".join(f"(?:{p})" for p in patterns))
    return pc.fill_null(found, False).to_pylist()


def scan_column(
    scanner: PrivacyScanner, ids: list[str], texts: pa.Array | pa.ChunkedArray
) -> PrivacySummary:
    """:func:`scan_texts` of a column of texts: a text no prefilter of the scanner's
    kinds matches (most news) is counted as scanned without a finding, the rest are
    scanned one by one as :meth:`PrivacyScanner.scan` does."""
    summary = PrivacySummary()
    candidates = may_hold_findings(scanner.kinds, texts)
    valid = pc.is_valid(texts).to_pylist()
    for i, (article_id, candidate) in enumerate(zip(ids, candidates, strict=True)):
        if not valid[i]:
            continue  # withheld: not published, not scanned
        summary.add(article_id, scanner.scan(texts[i].as_py()) if candidate else [])
    return summary


def scan_texts(scanner: PrivacyScanner, items: Iterable[tuple[str, str | None]]) -> PrivacySummary:
    """Scan (article id, text) pairs; a withheld (``None``) text is not published, not scanned."""
    summary = PrivacySummary()
    for article_id, text in items:
        if text is not None:
            summary.add(article_id, scanner.scan(text))
    return summary
