"""What a dataset configuration may name of the cleaner, and its defaults: kept apart
from the steps themselves so that checking a configuration (:mod:`builder.config`)
does not import the cleaner. A pooled build's parent never cleans a text: importing
the steps there (ftfy, the boilerplate rules; some 0.3 CPU s) was work the fork
server does once more for its workers."""

from __future__ import annotations

__all__ = ["MIN_DOCS", "MIN_SHARE", "STEP_NAMES"]

#: The steps a configuration may name (``cleaning.steps``), in the order they run.
#: ``duplicates`` (a page's second copy, :mod:`builder.clean.duplicates`) runs before
#: ``footer`` so the trailing-teaser rules read the page's end without the copy;
#: ``tail_copy`` (the page's last lines repeating lines above) after it, so it reads the
#: page's end without the teasers.
#: ``tail_model`` (a learned cut in the page's last lines, :mod:`builder.clean.tail_model`)
#: runs after every rule, so it reads what they left and where they cut.
#: ``detokenize`` runs only when asked for (``cleaning.detokenize``). The publisher
#: repetition step is added when a pre-scan table is given (see
#: :mod:`builder.clean.repetition`); it runs after ``footer``.
STEP_NAMES = (
    "encoding",
    "line_endings",
    "mojibake",
    "unicode",
    "sections",
    "boilerplate",
    "captions",
    "header",
    "duplicates",
    "footer",
    "tail_copy",
    "tail_model",
    "detokenize",
    "whitespace",
)

#: A line in at least this many documents of one publisher, and in this share of
#: them (running text: the larger share), is furniture (:mod:`builder.clean.repetition`).
MIN_DOCS = 3
MIN_SHARE = 0.2
