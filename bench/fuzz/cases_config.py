"""Cases over ``dataset.yaml`` and where the output goes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import yaml

from .model import MISSING, SEEDS, Case
from .mutations import edit_config, raw_config, set_at_any


def config_cases() -> Iterator[Case]:
    config = yaml.safe_load((SEEDS / "dataset.yaml").read_text(encoding="utf-8"))
    wrong: dict[str, Any] = {
        "null": None,
        "number": 7,
        "float": 1.5,
        "list": [1],
        "object": {"a": 1},
        "bool": True,
        "string": "x",
        "huge": "x" * 200_000,
    }
    pointers: list[list[str]] = []
    for key, value in config.items():
        pointers.append([key])
        if isinstance(value, dict):
            pointers += [[key, sub] for sub in value]
    pointers.append(["inputs", "annotations", 0, "format"])  # type: ignore[list-item]
    pointers.append(["inputs", "annotations", 0, "path"])  # type: ignore[list-item]
    for pointer in pointers:
        where = "/".join(str(p) for p in pointer)
        for kind, value in wrong.items():
            yield Case(
                f"config-{kind}:{where}",
                edit_config(lambda c, p=pointer, v=value: set_at_any(c, p, v)),
                "dataset.yaml",
                expect="any",
            )
        yield Case(
            f"config-missing:{where}",
            edit_config(lambda c, p=pointer: set_at_any(c, p, MISSING)),
            "dataset.yaml",
            expect="any",
        )
    yield Case("config-unknown-key", edit_config(lambda c: c.update(zz_unknown=1)), "dataset.yaml")
    yield Case(
        "config-unknown-nested-key",
        edit_config(lambda c: c["splits"].update(zz_unknown=1)),
        "dataset.yaml",
    )
    original = (SEEDS / "dataset.yaml").read_text(encoding="utf-8")
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(9)
    )
    both = ("build", "validate", "clean", "release")
    yield Case(
        "config-billion-laughs", raw_config(original + laughs), "dataset.yaml", commands=both
    )
    yield Case("config-billion-laughs-only", raw_config(laughs), "dataset.yaml", commands=both)
    yield Case(
        "config-python-object",
        raw_config(original + "zz: !!python/object:os.system {}\n"),
        "dataset.yaml",
        3 + original.count("\n") - 2,
        commands=both,
    )
    yield Case(
        "config-python-name",
        raw_config(original.replace("name: israel", "name: !!python/name:os.system israel", 1)),
        "dataset.yaml",
        commands=both,
    )
    yield Case("config-empty", raw_config(""), "dataset.yaml", commands=both)
    yield Case("config-comment-only", raw_config("# nothing\n"), "dataset.yaml", commands=both)
    yield Case("config-list", raw_config("- a\n- b\n"), "dataset.yaml", commands=both)
    yield Case("config-scalar", raw_config("hello\n"), "dataset.yaml", commands=both)
    yield Case(
        "config-tabs",
        raw_config(original.replace("  articles: articles", "\tarticles: articles")),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-duplicate-key",
        raw_config(original + "version: 2.0.0\n"),
        "dataset.yaml",
        original.count("\n") + 1,
        commands=both,
    )
    yield Case(
        "config-two-documents",
        raw_config(original + "---\nname: b\n"),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-nul-in-path",
        raw_config(original.replace("  sources: sources.jsonl", '  sources: "s\\0.jsonl"')),
        "dataset.yaml",
        original[: original.index("  sources: sources.jsonl")].count("\n") + 1,
        commands=both,
    )
    yield Case(
        "config-surrogate-in-path",
        raw_config(original.replace("  articles: articles", '  articles: "a\\ud800"')),
        "dataset.yaml",
        original[: original.index("  articles: articles")].count("\n") + 1,
        commands=both,
    )
    yield Case("config-nonstring-key", raw_config(original + "1: 2\n"), "dataset.yaml")
    yield Case("config-null-key", raw_config(original + "~: 2\n"), "dataset.yaml")
    yield Case(
        "config-deep",
        raw_config(original + "zz: " + "[" * 5000 + "]" * 5000 + "\n"),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-date-version",
        raw_config(original.replace("version: 1.0.0", "version: 2024-01-01")),
        "dataset.yaml",
    )
    for key, value in (
        ("sources", "../../etc/passwd"),
        ("sources", "/etc/passwd"),
        ("articles", "../../etc"),
        ("articles", "/etc/*.conf"),
        ("sources", "sources.jsonl/../../../../etc/passwd"),
    ):
        yield Case(
            f"config-outside:{key}={value}",
            edit_config(lambda c, k=key, v=value: c["inputs"].update({k: v})),
            "dataset.yaml",
            commands=("build", "validate"),
        )
    yield Case(
        "config-outside:annotations=/etc/passwd",
        edit_config(lambda c: c["inputs"]["annotations"][0].update(path="/etc/passwd")),
        "dataset.yaml",
    )
    yield Case(
        "config-outside:annotations=../../etc/hostname",
        edit_config(lambda c: c["inputs"]["annotations"][0].update(path="../../etc/hostname")),
        "dataset.yaml",
    )
    yield Case(
        "config-git-target-outside",
        edit_config(lambda c: c["publish"].update(git_target="/etc/fuzz-target")),
        "dataset.yaml",
        commands=("release",),
        expect="any",
    )
    yield Case(
        "config-missing-file:sources",
        edit_config(lambda c: c["inputs"].update(sources="nope.jsonl")),
        "nope.jsonl",
    )
    yield Case(
        "config-missing-file:annotations",
        edit_config(lambda c: c["inputs"]["annotations"][0].update(path="nope.jsonl")),
        "nope.jsonl",
    )
    yield Case(
        "config-label-set-dup",
        edit_config(lambda c: c["labels"].update(entity=["PERSON", "PERSON"])),
        "dataset.yaml",
    )
    yield Case(
        "config-annotation-format-unknown",
        edit_config(lambda c: c["inputs"]["annotations"][0].update(format="nope")),
        "dataset.yaml",
    )


def out_inside_input() -> Iterator[Case]:
    yield Case("out-inside-input", lambda d: None, "", expect="any", commands=("build-out-inside",))
    yield Case("out-is-input", lambda d: None, "", expect="fail", commands=("build-out-is-input",))
    yield Case("out-is-file", lambda d: None, "", expect="fail", commands=("build-out-is-file",))
    yield Case(
        "input-missing",
        lambda d: shutil.rmtree(d),
        "",
        expect="fail",
        commands=("build", "validate"),
    )
    yield Case(
        "input-is-file", lambda d: (shutil.rmtree(d), d.write_text("x")), "", commands=("build",)
    )
