"""A fixed sample of ``bench/fuzz_inputs.py``'s mutations, one per class of bad input,
through the real command line: exit 1 or 2 (0 where the input is fine), no traceback,
no "internal error", the file (and line) named, and the previous build intact.

The whole harness (some 2,300 cases, about an hour) runs with
``.venv/bin/python bench/fuzz_inputs.py`` (the harness is the ``bench/fuzz`` package);
this sample keeps under a minute.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fuzz_inputs", ROOT / "bench" / "fuzz_inputs.py")
assert _spec and _spec.loader
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_inputs"] = fuzz
_spec.loader.exec_module(fuzz)

#: one case per class; each names a file and, for records, a line
SAMPLE = [
    "file-loop:sources.jsonl",  # a link loop among the inputs (was exit 3)
    "file-badutf8:dataset.yaml",  # not UTF-8: line and column (was byte only)
    "file-utf16:dataset.yaml",
    "jsonl-truncated-line:annotations.jsonl",
    "jsonl-nested-100k:sources.jsonl",
    "span-start=-1:annotations.jsonl:entities",
    "config-billion-laughs",
    "config-python-object",
    "config-outside:sources=../../etc/passwd",
    "out-inside-input",
    # storage folders, web captures, publish/verify options, damaged builds
    "folder-fifo:ls-storage",  # a named pipe was skipped without a word (exit 0, spans lost)
    "folder-nested-100k:ls-storage",  # was exit 3, RecursionError
    "folder-chmod000:brat",  # skipped, with the reason, where chmod 000 does not stop reads
    "folder-link-out:brat",
    "web-cut:warc",
    "web-cut-last:plain-warc",  # a record short of its Content-Length was read: exit 0
    "folder-badutf8:brat",  # named a byte in the reader's chunk, no line
    "web-loop:html",
    "publish-version-empty",  # '' published the build's version
    "publish-endpoint-ftp",  # retried five times, some 30 s, before failing
    "publish-repo-spaces",  # huggingface_hub's refusal, naming no option (exit 1)
    "verify-revision-on-folder",  # --revision was ignored: "verified"
    "damaged-manifest-list:diff",  # was exit 3, AttributeError
]


CASES = {c.name: c for c in fuzz.all_cases()}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, seed_build: Path) -> Path:
    work = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(seed_build, work / "good")  # what every case's --out starts as
    return work


def test_the_sample_names_existing_cases() -> None:
    assert set(SAMPLE) <= set(CASES), set(SAMPLE) - set(CASES)


@pytest.mark.parametrize("name", SAMPLE)
def test_bad_input_keeps_the_contract(name: str, work: Path) -> None:
    case = CASES[name]
    # build reads every input the other commands read; the harness runs those too
    commands = ("build",) if "build" in case.commands else case.commands[:1]
    outcomes = fuzz.run_case(case, work, [sys.executable, "-m", "builder"], 120, commands)
    assert outcomes
    skipped = [o.command for o in outcomes if o.command.startswith("skipped")]
    if skipped:
        pytest.skip(skipped[0])
    for outcome in outcomes:
        assert not outcome.problems, (outcome.command, outcome.code, outcome.stderr[-1500:])
