"""The page's header: a title printed twice at the top, with section labels around it."""

from __future__ import annotations

from .edits import Edit
from .lines import line_view
from .steps import CleaningStep, DocumentContext, first_lines
from .topic import SENTENCE_END, casefolded_words

__all__ = ["RepeatedHeader"]


class RepeatedHeader(CleaningStep):
    """A title printed twice at the top, with section labels around it.

    Pages often repeat the headline (once in the page title, once above the
    body) with a kicker or section label between. When a line reappears within
    the first ``window`` lines, its earlier copies go, and so do the short,
    unpunctuated lines before its last occurrence: section labels ("Investing",
    "Tax Software", ``label_words`` words at most) and other lines printed again
    further down the page. The last occurrence, nearest the body, stays, and so
    does a longer line before it that the page does not repeat: it is the title or
    the standfirst ("9 Common Food Myths Debunked" over a repeated dek, "A Guide to
    Whole Home Mesh WiFi" between two copies of a question title).
    """

    name = "header"

    def __init__(self, window: int = 8, max_words: int = 16, label_words: int = 4) -> None:
        self.window = window
        self.max_words = max_words
        self.label_words = label_words

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        lines = first_lines(text, self.window)
        # The lines' views are shared with the steps before (cached by line): their
        # words are not split again, and a line's key is its words joined.
        views = [line_view(line) for _, _, line in lines]
        # Two lines have the same key only if they have as many words and the same first
        # word: a line's key is made (its words listed and joined) only when an earlier
        # line has both (a long line's first word is found without listing the rest).
        counts = [len(v.words) for v in views]
        last_repeat = -1
        for i, n in enumerate(counts):
            if n and n in counts[:i]:
                view = views[i]
                first = view.words[0]
                if any(
                    counts[j] == n and views[j].words[0] == first and views[j].key == view.key
                    for j in range(i)
                ):
                    last_repeat = i
        if last_repeat < 0:
            return []
        keys = [v.key for v in views]
        title = keys[last_repeat]
        head = lines[:last_repeat]
        if any(
            len(views[i].words) > self.max_words or (SENTENCE_END.search(line) and keys[i] != title)
            for i, (_, _, line) in enumerate(head)
        ):
            return []
        below = text[head[-1][1] :].casefold()
        return [
            self.edit(start, end, "", "repeated_title" if keys[i] == title else "section_label")
            for i, (start, end, _) in enumerate(head)
            if keys[i] == title
            or len(views[i].words) <= self.label_words
            or _printed_again(keys[i], below)
        ]


def _printed_again(key: str, text: str) -> bool:
    """Whether a line with these words is in ``text`` (casefolded) as a line of its own."""
    pos = text.find(key.split()[0]) if key else -1
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        if " ".join(casefolded_words(text[start : end if end >= 0 else len(text)])) == key:
            return True
        pos = text.find(key.split()[0], end) if end >= 0 else -1
    return False
