"""``builder clean``: one article's cleaning, its edit log or its report (registered by
:mod:`builder.cli`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import (
    JsonOpt,
    run_guarded,
)
from .compressed_inputs import read_at_most
from .errors import DataError, UsageError
from .ingest import over_article_limit, over_line_limit
from .utf8 import NotUtf8, decode_utf8

__all__ = ["clean"]


def clean(
    file: Annotated[
        Path | None, typer.Argument(help="Raw article file; standard input when omitted.")
    ] = None,
    edits: Annotated[
        bool, typer.Option("--edits", help="Print the edit log (JSON Lines) instead of the text.")
    ] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Print every edit as its step and rule made it (JSON Lines), before "
            "neighbouring edits are merged into the edit log.",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="dataset.yaml (or its folder) whose cleaning options to use."
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Extra boilerplate rule file (YAML); repeat for several."),
    ] = None,
    detokenize: Annotated[
        bool | None,
        typer.Option(
            "--detokenize/--no-detokenize",
            help="Rejoin lowercased tokenized text (default: the configuration's, else off).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the cleaned text of one article, or its edit log (which rule did what).

    **Examples**

        builder clean seeds/articles/004_85bdede9e1a8b346.txt

        cat page.txt | builder clean --edits

        builder clean --trace page.txt    # which rule removed which line

        builder clean --rules my_site_rules.yaml --edits page.txt

        builder clean --config seeds --detokenize seeds/articles/000_1be5c9577093f905.txt
    """
    from .clean.pipeline import Cleaner
    from .clean.rules import RuleError
    from .config import DatasetConfig, load_config

    def body() -> None:
        step_names, rule_files, detok = None, list(rules or []), False
        # the build's limits on an article: the defaults, else the configuration's
        max_bytes, max_lines = DatasetConfig.max_article_bytes, DatasetConfig.max_article_lines
        if config:
            cfg = load_config(config)
            step_names, rule_files, detok = (
                cfg.cleaning_steps,
                [*cfg.rule_files, *rule_files],
                cfg.detokenize,
            )
            max_bytes, max_lines = cfg.max_article_bytes, cfg.max_article_lines
        for path in rule_files:
            if not path.is_file():
                raise UsageError(f"no rule file {path}")
        try:
            cleaner = Cleaner.build(
                step_names=step_names,
                rule_files=rule_files,
                detokenize=detok if detokenize is None else detokenize,
            )
        except RuleError as exc:
            raise DataError(f"invalid rule file: {exc}") from None
        raw = _read_article(file, max_bytes, max_lines, configured=config is not None)
        result = cleaner.clean(raw, trace=trace)
        if trace and not as_json:
            for step_edit in result.trace:
                print(json.dumps(step_edit, ensure_ascii=False))
        elif as_json:
            print(
                json.dumps(
                    {
                        "text": result.text,
                        "edits": [e.as_dict() for e in result.edits],
                        "attributes": result.attributes,
                        "rules": dict(sorted(result.rule_counts.items())),
                        **({"trace": result.trace} if trace else {}),
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        elif edits:
            for e in result.edits:
                print(json.dumps(e.as_dict(), ensure_ascii=False))
        else:
            sys.stdout.write(
                result.text + ("\n" if result.text and not result.text.endswith("\n") else "")
            )

    run_guarded(body, as_json=as_json)


def _read_article(file: Path | None, max_bytes: int, max_lines: int, *, configured: bool) -> str:
    """The article's text (``file``, else standard input), refused as the build refuses an
    article, with the build's messages: over ``limits.max_article_bytes`` (at most that
    many bytes and one are read: a device or a huge file is never read into memory), not
    UTF-8, or of more lines than ``limits.max_article_lines`` (the cleaner holds objects
    for each line: 9.8 MB of "x\\n" lines took 1.4 GB)."""
    where = str(file) if file else "<stdin>"
    hint = "" if configured else "; the default limit (--config DIR applies that dataset.yaml's)"
    if file:
        with file.open("rb") as handle:
            data = read_at_most(handle, max_bytes + 1)
    else:
        data = read_at_most(sys.stdin.buffer, max_bytes + 1)
    if len(data) > max_bytes:
        raise DataError(
            f"{where}: {over_article_limit(f'more than {max_bytes} bytes', max_bytes)}{hint}"
        )
    try:
        text = decode_utf8(data)
    except NotUtf8 as exc:
        raise DataError(f"{where}: {exc}") from None
    too_many = over_line_limit(text, max_lines)
    if too_many:
        raise DataError(f"{where}: {too_many}{hint}")
    return text
