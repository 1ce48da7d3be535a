"""Train a small named-entity tagger on a release and score it on the test split.

    python examples/train_ner.py --data out/dataset
    python examples/train_ner.py --repo my-org/news --revision v1.1.0

The release is loaded with ``datasets.load_dataset`` as any consumer would: its
``entities`` are character spans over ``text`` with a ClassLabel ``label``.
They become token-level BIO tags through an offset-aware word tokenizer, a
linear-chain CRF (sklearn-crfsuite) is trained on the train split on the CPU,
and seqeval prints entity-level precision, recall and F1 on the test split.
Articles whose text is withheld (null) are skipped. On the seed dataset the
numbers mean little (three training articles); the point is that the published
features feed a training loop with no glue.

Needs the ``examples`` extra: ``pip install -e '.[examples]'``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex

# Words (letters/digits, with inner hyphens and apostrophes) or single punctuation marks.
TOKEN = regex.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
SENTENCE_END = frozenset({".", "!", "?"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Tokens with their character offsets into ``text``."""
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def bio_tags(
    tokens: Sequence[Token], spans: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> list[str]:
    """One BIO tag per token: a token belongs to the span its first character is in.

    Overlapping spans: the longer one wins (then the earlier). A span that starts
    inside a token tags that token, so no entity is lost to tokenization.
    """
    ordered = sorted(spans, key=lambda s: (-(s["end"] - s["start"]), s["start"]))
    owner: dict[int, int] = {}  # token index -> span index in ``ordered``
    for k, span in enumerate(ordered):
        for i, token in enumerate(tokens):
            if token.end > span["start"] and token.start < span["end"] and i not in owner:
                owner[i] = k
    tags: list[str] = []
    for i in range(len(tokens)):
        k = owner.get(i)
        if k is None:
            tags.append("O")
            continue
        name = names[ordered[k]["label"]]
        tags.append(f"I-{name}" if i > 0 and owner.get(i - 1) == k else f"B-{name}")
    return tags


def sentences(tokens: list[Token], tags: list[str]) -> Iterator[tuple[list[Token], list[str]]]:
    """Cut a document at sentence-final punctuation outside an entity (shorter CRF sequences)."""
    start = 0
    for i, token in enumerate(tokens):
        next_inside = i + 1 < len(tags) and tags[i + 1].startswith("I-")
        if token.text in SENTENCE_END and not next_inside:
            yield tokens[start : i + 1], tags[start : i + 1]
            start = i + 1
    if start < len(tokens):
        yield tokens[start:], tags[start:]


def token_features(tokens: Sequence[Token], i: int) -> dict[str, Any]:
    word = tokens[i].text
    features: dict[str, Any] = {
        "bias": 1.0,
        "lower": word.lower(),
        "suffix3": word[-3:].lower(),
        "prefix3": word[:3].lower(),
        "is_title": word.istitle(),
        "is_upper": word.isupper(),
        "is_digit": word.isdigit(),
        "is_punct": not word[0].isalnum(),
        "shape": regex.sub(r"\p{Lu}", "X", regex.sub(r"\p{Ll}", "x", regex.sub(r"\d", "d", word))),
    }
    for offset in (-2, -1, 1, 2):
        j = i + offset
        key = f"{offset:+d}"
        if 0 <= j < len(tokens):
            other = tokens[j].text
            features[f"{key}:lower"] = other.lower()
            features[f"{key}:is_title"] = other.istitle()
        else:
            features[f"{key}:edge"] = True
    return features


def examples(split: Any, names: Sequence[str]) -> tuple[list[list[dict]], list[list[str]]]:
    """CRF inputs (features per token) and BIO targets for every sentence of a split."""
    xs: list[list[dict]] = []
    ys: list[list[str]] = []
    for row in split:
        if row["text"] is None:  # withheld by the source's rights
            continue
        tokens = tokenize(row["text"])
        tags = bio_tags(tokens, row["entities"], names)
        for sent_tokens, sent_tags in sentences(tokens, tags):
            xs.append([token_features(sent_tokens, i) for i in range(len(sent_tokens))])
            ys.append(sent_tags)
    return xs, ys


def load(args: argparse.Namespace) -> Any:
    import datasets

    if args.data:
        return datasets.load_dataset(args.data)
    return datasets.load_dataset(args.repo, revision=args.revision)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="A build folder (output of `builder build`).")
    source.add_argument("--repo", help="A Hub dataset repo ORG/NAME (with --revision).")
    parser.add_argument("--revision", help="The release tag to load, e.g. v1.1.0.")
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--test-split", default="test")
    parser.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations.")
    args = parser.parse_args(argv)
    if args.repo and not args.revision:
        parser.error("--repo needs --revision (a pinned release, e.g. v1.1.0)")

    import sklearn_crfsuite
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

    ds = load(args)
    for split in (args.train_split, args.test_split):
        if split not in ds:
            parser.error(f"no split {split!r} (the release has: {', '.join(ds)})")
    names = ds[args.train_split].features["entities"].feature["label"].names
    x_train, y_train = examples(ds[args.train_split], names)
    x_test, y_test = examples(ds[args.test_split], names)
    if not x_train or not x_test:
        print("no text to train or test on (all withheld?)", file=sys.stderr)
        return 1
    crf = sklearn_crfsuite.CRF(
        algorithm="lbfgs",
        c1=0.1,
        c2=0.1,
        max_iterations=args.iterations,
        all_possible_transitions=True,
    )
    crf.fit(x_train, y_train)
    predicted = crf.predict(x_test)
    tokens_train = sum(map(len, y_train))
    tokens_test = sum(map(len, y_test))
    print(
        f"trained a CRF on {len(ds[args.train_split])} articles ({tokens_train} tokens, "
        f"{len(x_train)} sentences); testing on {len(ds[args.test_split])} ({tokens_test} tokens)"
    )
    print(classification_report(y_test, predicted, zero_division=0))
    print(f"precision: {precision_score(y_test, predicted, zero_division=0):.4f}")
    print(f"recall: {recall_score(y_test, predicted, zero_division=0):.4f}")
    print(f"f1: {f1_score(y_test, predicted, zero_division=0):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
