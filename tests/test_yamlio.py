"""builder.yamlio: libyaml's parser (when PyYAML has it) gives the very values the
pure-Python parser gives, and every refusal is the pure parser's message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder import yamlio
from builder.yamlio import YamlError, load_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    p
    for pattern in ("builder/**/*.yaml", "seeds/**/*.yaml", "examples/**/*.yaml")
    for p in ROOT.glob(pattern)
)

needs_libyaml = pytest.mark.skipif(yamlio._FastLoader is None, reason="PyYAML without libyaml")


def _typed(value: object) -> object:
    """The value with every scalar's type beside it (``1 == 1.0 == True`` in Python)."""
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]  # order too
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def test_the_package_ships_yaml_files() -> None:
    names = {p.name for p in SHIPPED}
    assert {"boilerplate.yaml", "sections.yaml", "dataset.yaml"} <= names


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_loads_the_same_with_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _typed(load_yaml(text)) == _typed(yamlio._load_pure(text))


SNIPPETS = [
    "a: 1\nb: 1.0\nc: true\nd: yes\ne: ~\nf: 2024-04-13\ng: 0o17\nh: 017\ni: 1e3\nj: -.5\n",
    "base: &b {x: 1, y: [1, 2]}\nuse: *b\n",
    "text: |\n  line one\n  line two\nfolded: >-\n  a\n  b\nquoted: 'it''s'\nesc: \"\\u00e9\\t\"\n",
    "- - - a\n  - b\n- c\n",
    "key with spaces: value # comment\n? complex\n: key\n",
    "",
    "# only a comment\n",
    "[1, {a: b}, 'c']\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", SNIPPETS)
def test_scalars_anchors_and_layouts_load_the_same(text: str) -> None:
    assert _typed(load_yaml(text)) == _typed(yamlio._load_pure(text))


REFUSED = [
    "name: a\nname: b\n",
    "colour: " + "[" * 600 + "]" * 600 + "\n",
    "- " * 200 + "a\n",
    "colour: [1, 2\nsize: 3\n",
    "a: b: c\n",
    "a:\n\t- b\n",
    "--- a\n--- b\n",
    "x: *nowhere\n",
    "a: 'unclosed\n",
    "a: \x07\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 3\n",  # merge keys: refused as before
    "x: &a [1, *a]\n",  # an alias inside its own anchor
]


def _laughs(levels: int, key: str = "x") -> str:
    """The "billion laughs": each line a list of nine aliases of the line before, so
    ``levels`` lines expand to 9**levels strings."""
    lines = [f'{key}_a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        before, name = chr(96 + i), chr(97 + i)
        lines.append(f"{key}_{name}: &{name} [" + ",".join([f"*{before}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: a chain of aliases, each a list of the one before: 71 levels once expanded
ALIAS_CHAIN = "a0: &a0 [1]\n" + "".join(f"a{i + 1}: &a{i + 1} [*a{i}]\n" for i in range(70))
REFUSED += [_laughs(9), ALIAS_CHAIN]


@pytest.mark.parametrize("text", REFUSED)
def test_a_refusal_is_the_pure_parsers_message(text: str) -> None:
    with pytest.raises(YamlError) as fast:
        load_yaml(text)
    with pytest.raises(YamlError) as pure:
        yamlio._load_pure(text)
    assert (str(fast.value), fast.value.line) == (str(pure.value), pure.value.line)
    assert fast.value.line is None or fast.value.line >= 1


def test_aliases_that_expand_past_the_bound_are_refused_with_their_line() -> None:
    with pytest.raises(YamlError, match="aliases expand the document to 4,4") as exc:
        load_yaml("name: a\n" + _laughs(10))
    assert exc.value.line == 11  # the use of the largest anchor
    assert "write the values out" in str(exc.value)


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(YamlError, match="contains itself") as exc:
        load_yaml("name: a\nx: &a {b: [1, *a]}\n")
    assert exc.value.line == 2


def test_a_chain_of_aliases_deeper_than_the_limit_is_refused() -> None:
    with pytest.raises(YamlError, match="nested deeper than 64 levels once aliases") as exc:
        load_yaml(ALIAS_CHAIN)
    assert exc.value.line == 71


def test_aliases_within_the_bound_still_load() -> None:
    assert load_yaml("base: &b {x: 1}\nl: [*b, *b]\n") == {"base": {"x": 1}, "l": [{"x": 1}] * 2}
    loaded = load_yaml(_laughs(4))  # 9**4 strings: within the bound
    assert len(loaded["x_d"]) == 9 and loaded["x_d"][8][8][8] == ["lol"] * 9


def test_a_billion_laughs_configuration_fails_the_build_at_its_line(
    seeds_copy: Path, run_cli
) -> None:
    """In splits.assignment (an object of any keys) the expanded value went into the
    schema's error message: 2.3 GB and a MemoryError, an internal error, after a minute."""
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    laughs = "".join("    " + line + "\n" for line in _laughs(7).splitlines())
    assert "  assignment:\n" in text
    config.write_text(text.replace("  assignment:\n", "  assignment:\n" + laughs, 1))
    line = text[: text.index("  assignment:\n")].count("\n") + 8  # x_g's line
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(seeds_copy.parent / "out"))
    assert result.code == 1, result.stderr
    assert f"dataset.yaml:{line}: error yaml-syntax: aliases expand the document" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr) < 2000
    assert not (seeds_copy.parent / "out").exists()


def test_deep_nesting_is_refused_with_its_line() -> None:
    with pytest.raises(YamlError, match="nested deeper than 64") as exc:
        load_yaml("ok: 1\ncolour: " + "[" * 5000 + "]" * 5000 + "\n")
    assert exc.value.line == 2


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('name: a\npath: "x\\0y.jsonl"\n', 2, "NUL"),
        ('name: a\nlabels: ["\\ud800"]\n', 2, "surrogate"),
        ('name: a\n"k\\0": 1\n', 2, "NUL"),  # a key too
    ],
)
def test_text_no_path_or_name_can_hold_is_refused_with_its_line(text, line, what):
    """A NUL made every path lookup raise ``ValueError: embedded null byte`` and a lone
    surrogate every UTF-8 write, later and unlocated (exit 3, "internal error")."""
    with pytest.raises(YamlError, match=what) as caught:
        load_yaml(text)
    assert caught.value.line == line
    with pytest.raises(YamlError, match=what):
        yamlio._load_pure(text)


def test_escapes_that_are_text_still_load():
    assert load_yaml("a: \"tab\\there \\u00e9 \\U0001F600\"\nb: '\\0'\n") == {
        "a": "tab\there é 😀",
        "b": "\\0",
    }


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a: 1\nsplits:\n  near_duplicate_threshold: .nan\n", 3, ".nan is not a number"),
        ("a: [1, 2,\n  -.Inf]\n", 2, "-.Inf is infinite"),
        (f"output:\n  batch_size: {2**70}\n", 2, f"the integer {2**70} is past 64 bits"),
        ("a: 0x" + "f" * 90 + "\n", 1, "(92 digits) is past 64 bits"),
    ],
)
def test_numbers_no_setting_takes_are_refused_with_their_line(text, line, what):
    """``.nan`` passed every bound of the schema (NaN compares false: a build with a NaN
    near-duplicate threshold ran, exit 0, finding none); 2**70 as ``output.batch_size``
    was an internal error (exit 3) in ``islice``."""
    with pytest.raises(YamlError, match=re.escape(what)) as caught:
        load_yaml(text)
    assert caught.value.line == line
    with pytest.raises(YamlError, match=re.escape(what)):
        yamlio._load_pure(text)


def test_numbers_within_64_bits_still_load():
    text = f"a: {2**63 - 1}\nb: {-(2**63)}\nc: 0.5\nd: 1e-3\ne: 017\n"
    assert load_yaml(text) == {"a": 2**63 - 1, "b": -(2**63), "c": 0.5, "d": "1e-3", "e": 15}


def test_a_nan_setting_fails_the_build_naming_dataset_yaml_and_its_line(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from builder.errors import DataError
    from builder.pipeline import build

    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("near_duplicate_threshold: 0.5", "near_duplicate_threshold: .nan")
    )
    line = text[: text.index("near_duplicate_threshold")].count("\n") + 1
    with pytest.raises(DataError) as caught:
        build(seeds_copy, tmp_path / "out")
    (issue,) = caught.value.report.issues
    assert (issue.file, issue.line) == ("dataset.yaml", line), issue
    assert not (tmp_path / "out").exists()
