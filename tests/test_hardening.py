"""Hostile configuration, output folders, templates and inputs (issue 12).

Every case runs the real command line as a subprocess and checks what a user
sees: the exit code, a message naming the file or setting, no traceback, and
nothing outside ``--out`` written or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml
from corpus_helpers import article_id, article_text, make_corpus, source_record

from builder.names import shard_split, split_name_problem


def snapshot(root: Path) -> dict[str, str]:
    """Every file (and link) under ``root`` with its content's digest."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[rel] = "dir"
    return found


def assert_clean_failure(result, code: int, *needles: str) -> None:
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    text = " ".join(result.stderr.split())
    for needle in needles:
        assert needle in text, (needle, result.stderr)


# -- output folders -----------------------------------------------------------------


def test_out_that_is_another_apps_folder_with_a_manifest_is_refused(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "manifest.json").write_text('{"name": "my pwa"}')
    (app / "index.html").write_text("hi")
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(app))
    assert_clean_failure(result, 2, str(app), "not a dataset built by this tool")
    assert snapshot(tmp_path) == before


def test_a_previous_build_with_a_file_of_the_users_is_refused_naming_it(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    (out / "NOTES.md").write_text("mine")
    (out / "data" / "extra").mkdir()
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert_clean_failure(result, 2, "NOTES.md", "data/extra/", "does not list")
    assert snapshot(tmp_path) == before


def test_a_previous_build_is_replaced_and_an_old_style_one_too(tmp_path, run_cli):
    """A build by an older version has the same signed manifest (no other marker): replaced."""
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["toolkit"]["version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    assert json.loads((out / "manifest.json").read_text())["toolkit"]["version"] != "0.0.1"


def test_a_forged_listing_does_not_cover_a_symlink(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["outputs"].append({"path": "link"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert_clean_failure(result, 2, "link/")


def test_out_inside_the_input_folder_is_refused(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(corpus.root / "out"))
    assert_clean_failure(result, 2, "inside the input folder")
    assert snapshot(tmp_path) == before


def test_out_whose_folder_cannot_be_made_names_the_out_not_the_working_folder(tmp_path, run_cli):
    # a file where a parent folder must be: the error was "Not a directory:
    # .../a-file/.out.building-<pid>-<ms>-<random>", a name the user never gave
    corpus = make_corpus(tmp_path / "in")
    (tmp_path / "a-file").write_text("x")
    before = snapshot(tmp_path)
    out = tmp_path / "a-file" / "deeper" / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert_clean_failure(result, 2, f"--out {out}: cannot make a folder in")
    assert ".building" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("out", [".", "", "here"])
def test_out_that_is_the_current_folder_is_refused(tmp_path, run_cli, out):
    """Replacing the folder the user is in leaves their shell in a deleted one: ``ls``
    shows nothing and every later relative path fails ("No such file or directory")."""
    corpus = make_corpus(tmp_path / "in")
    here = tmp_path / "here"
    here.mkdir()
    before = snapshot(tmp_path)
    out = {"here": str(here)}.get(out, out)
    result = run_cli("build", "-i", str(corpus.root), "-o", out, cwd=here)
    assert_clean_failure(result, 2, "current folder")
    assert snapshot(tmp_path) == before


def test_out_that_holds_the_current_folder_is_refused(tmp_path, run_cli):
    """A rebuild run from inside the previous build (``cd out/data``, ``-o ..``)."""
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", "..", cwd=out / "data")
    assert_clean_failure(result, 2, str(out), "current folder")
    assert snapshot(tmp_path) == before


def test_a_current_folder_that_was_deleted_is_named_as_the_cause(tmp_path, child_env):
    """Run from a folder removed meanwhile, a relative path cannot be resolved: the message
    says so, not a bare "No such file or directory"."""
    import subprocess
    import sys

    corpus = make_corpus(tmp_path / "in")
    gone = tmp_path / "gone"
    gone.mkdir()
    script = (
        "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
        "sys.argv = ['builder', 'build', '-i', sys.argv[2], '-o', 'out'];"
        "from builder.cli import main; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(gone), str(corpus.root)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=300,
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "current folder" in " ".join(proc.stderr.split()), proc.stderr


# -- split names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["./../../../../PWNED", "test-hard", "a/b", "..", "a..b", ".x", "x.", "a b", "", "x\n", "all"],
)
def test_bad_split_names_are_refused_by_the_rule(name):
    assert split_name_problem(name)


@pytest.mark.parametrize("name", ["train", "test_hard", "validation.hard", "Ünïcode_2"])
def test_good_split_names_pass(name):
    assert split_name_problem(name) is None
    assert shard_split(f"{name}-00000-of-00002.parquet") == name


@pytest.mark.parametrize("bad", ["./../../../../PWNED", "test-hard", "a b"])
@pytest.mark.parametrize("where", ["ratios", "assignment"])
def test_split_names_that_are_paths_or_hyphenated_fail_validate_and_build(
    tmp_path, run_cli, bad, where
):
    splits: dict = {"ratios": {"train": 0.5, bad: 0.5}}
    if where == "assignment":
        splits = {"ratios": {"train": 1.0}, "assignment": {article_id(0): bad}}
    corpus = make_corpus(tmp_path / "w" / "in", config={"splits": splits})
    before = snapshot(tmp_path)
    for command in (["validate"], ["build", "-o", str(tmp_path / "w" / "out")]):
        result = run_cli(*command, "-i", str(corpus.root), "--json")
        assert_clean_failure(result, 1, "dataset.yaml")
        report = json.loads(result.stdout)["report"]
        # located at the bad name itself, explained in words, not by the schema's regex
        key = bad.replace("~", "~0").replace("/", "~1") if where == "ratios" else article_id(0)
        found = [i for i in report["issues"] if i["pointer"] == f"/splits/{where}/{key}"]
        assert found and all(i["file"] == "dataset.yaml" for i in found), report
        assert all("\\w" not in i["message"] and "(?!" not in i["message"] for i in found)
        assert any("no '-'" in i["message"] for i in found), found
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("ratios", "pointer", "says"),
    [
        ({"train": 80, "test": 20}, "/splits/ratios/train", "(80% is 0.8, not 80)"),
        ({"train": 0.5, "test": 0.1}, "/splits/ratios", "must sum to 1; these sum to 0.6"),
    ],
    ids=["percentages", "short-sum"],
)
def test_split_ratios_that_are_not_shares_say_what_they_should_be(
    tmp_path, run_cli, ratios, pointer, says
):
    corpus = make_corpus(tmp_path / "in", config={"splits": {"ratios": ratios}})
    result = run_cli("validate", "-i", str(corpus.root), "--json")
    assert_clean_failure(result, 1, "dataset.yaml")
    found = [i for i in json.loads(result.stdout)["report"]["issues"] if i["pointer"] == pointer]
    assert found and says in found[0]["message"], found


def test_split_names_differing_only_by_case_are_refused(tmp_path, run_cli):
    # Train-00000-of-00001.parquet and train-00000-of-00001.parquet: one file on macOS
    corpus = make_corpus(
        tmp_path / "w" / "in", config={"splits": {"ratios": {"Train": 0.5, "train": 0.5}}}
    )
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(tmp_path / "w" / "out"), "--json")
    assert_clean_failure(result, 1, "dataset.yaml")
    found = [i for i in json.loads(result.stdout)["report"]["issues"] if i["rule"] == "split-name"]
    assert [i["pointer"] for i in found] == ["/splits/ratios/train"], found
    assert "only by case" in found[0]["message"]
    assert snapshot(tmp_path) == before


def test_a_dotted_split_is_written_listed_and_loaded_back(tmp_path, run_cli):
    import datasets

    corpus = make_corpus(
        tmp_path / "in",
        n=6,
        config={
            "splits": {
                "ratios": {"train": 0.5, "test.hard": 0.5},
                "assignment": {article_id(0): "test.hard", article_id(1): "train"},
            }
        },
    )
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["splits"]) == {"train", "test.hard"}
    assert sum(s["num_examples"] for s in manifest["splits"].values()) == 6
    front = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    assert {s["name"] for s in front["dataset_info"]["splits"]} == {"train", "test.hard"}
    loaded = datasets.load_dataset(str(out))
    assert sum(len(loaded[s]) for s in loaded) == 6
    assert set(loaded) == {"train", "test.hard"}
    assert run_cli("verify", str(out)).code == 0


@pytest.mark.parametrize("ratio", [".nan", ".inf", "-.inf"])
def test_ratios_that_are_not_numbers_are_refused(tmp_path, run_cli, ratio):
    corpus = make_corpus(tmp_path / "in")
    cfg = corpus.root / "dataset.yaml"
    text = yaml.safe_dump(corpus.config).replace("test: 0.2", f"test: {ratio}")
    assert ratio in text
    cfg.write_text(text)
    result = run_cli("validate", "-i", str(corpus.root))
    line = text[: text.index(f"test: {ratio}")].count("\n") + 1
    # refused as the YAML is read (yamlio), with its line
    assert_clean_failure(result, 1, f"dataset.yaml:{line}", f"{ratio} is ")


@pytest.mark.parametrize(
    ("written", "pointer", "hint"),
    [("language: [no]", "/language/0", "boolean"), ("version: 1.0", "/version", "number")],
)
def test_a_value_yaml_typed_is_refused_saying_so(tmp_path, run_cli, written, pointer, hint):
    """``language: [no]`` (Norwegian) is read by YAML as false: "False is not of type
    'string'" named neither what was written nor why; now the message says to quote it."""
    corpus = make_corpus(tmp_path / "in")
    cfg = corpus.root / "dataset.yaml"
    key = written.split(":")[0]
    text = yaml.safe_dump(corpus.config)
    start = text.index(f"\n{key}:") + 1
    end = text.index("\n", start)
    if text[end + 1 : end + 3] == "- ":  # a block list: its items go too
        while text[end + 1 : end + 3] == "- ":
            end = text.index("\n", end + 1)
    cfg.write_text(text[:start] + written + text[end:])
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "dataset.yaml: error type:", pointer, hint, "quote it")


def test_a_split_assignment_key_yaml_typed_is_refused_saying_so(tmp_path, run_cli):
    """``splits.assignment`` keys are article ids or group keys (text): YAML made
    ``no:`` false, ``2024-04-15:`` a date and ``123:`` a number, keys that match no
    article, so the assignment was silently not applied."""
    corpus = make_corpus(tmp_path / "in")
    corpus.config["splits"]["assignment"] = {"placeholder": "train"}
    text = yaml.safe_dump(corpus.config).replace(
        "placeholder: train", "no: train\n    2024-04-15: test\n    123: train"
    )
    (corpus.root / "dataset.yaml").write_text(text)
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "/splits/assignment", "boolean", "date", "number", "quote it")


# -- the card -----------------------------------------------------------------------

HOSTILE = "x</code>``` ~~~ <script>alert(1)</script> | a | [l](javascript:x) *e* _u_ $m$ &amp;\n---\n# H\n- li"


def _card_parts(card: str) -> tuple[dict, str]:
    assert card.startswith("---\n")
    header, body = card[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def _markdown_tokens(body: str):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(body)


def test_hostile_values_in_every_card_field_are_shown_literally(tmp_path, run_cli):
    card_prose = {
        key: HOSTILE
        for key in (
            "direct_use",
            "out_of_scope",
            "curation_rationale",
            "recommendations",
            "personal_information",
            "annotators",
            "more_information",
            "contact",
        )
    }
    config = {
        "pretty_name": HOSTILE.replace("\n", " "),
        "description": HOSTILE,
        "citation": "@misc{x,\n title={```\n<script>alert(1)</script>\n```}\n}",
        # language and task_categories are checked against the Hub's lists (hub_metadata):
        # markup there is refused before any card is written (last lines of this test).
        "language": ["en"],
        "license": "other",
        "license_name": HOSTILE,
        "license_link": "LICENSE",
        "task_categories": ["token-classification"],
        "splits": {"ratios": {"train": 0.5, "test": 0.5}, "salt": "`a` | <script>"},
        "card": {
            **card_prose,
            "limitations": [HOSTILE],
            "glossary": {HOSTILE.replace("\n", " "): HOSTILE},
            "authors": [HOSTILE],
        },
        "cleaning": {"rules": ["my_rules.yaml"]},
    }
    corpus = make_corpus(
        tmp_path / "in",
        n=4,
        config=config,
        write=False,
        text=lambda i: article_text(i) + "\n\nZorblax quux footer\n",
    )
    for rec in corpus.sources:
        rec["publisher"] = HOSTILE
        rec["rights"]["statement"] = HOSTILE
        rec["url"] = "https://news.example.org/a_b_(c)"
    for rec in corpus.annotations:
        rec["annotator"] = {"kind": "rule", "name": HOSTILE, "note": HOSTILE}
    corpus.write()
    (corpus.root / "my_rules.yaml").write_text(
        yaml.safe_dump({"rules": [{"name": "my_rule-1.x", "phrases": ["Zorblax quux footer"]}]})
    )
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    card = (out / "README.md").read_text(encoding="utf-8")
    metadata, body = _card_parts(card)
    assert metadata["language"] == ["en"]
    assert metadata["pretty_name"] == config["pretty_name"]
    assert metadata["license_name"] == HOSTILE
    assert "<script>" not in card.split("```bibtex")[0]  # nowhere but inside the fence
    assert "<b>" not in card
    tokens = _markdown_tokens(body)
    html = [t.content for t in tokens if t.type == "html_block"]
    assert all(h.startswith("<!-- builder:") for h in html), html  # only our own markers
    inline_html = [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    assert not inline_html, inline_html
    links = [
        c.attrs.get("href")
        for t in tokens
        if t.children
        for c in t.children
        if c.type == "link_open"
    ]
    # the table of contents' anchors, and the sources' own URLs: no link from a value
    assert all(str(h).startswith(("https://news.example.org/", "#")) for h in links), links
    assert "javascript:x" not in str(links)
    fences = [t for t in tokens if t.type == "fence"]
    citation = [t for t in fences if t.info == "bibtex"]
    assert [t.content for t in citation] == [config["citation"] + "\n"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "H" not in headings and "Glossary" in headings and "Versions" in headings
    assert "Citation" in headings
    # every table row has its header's number of cells
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            widths, cells = [], 0
            for u in tokens[i:]:
                if u.type in ("th_open", "td_open"):
                    cells += 1
                elif u.type == "tr_close":
                    widths.append(cells)
                    cells = 0
                elif u.type == "table_close":
                    break
            assert len(set(widths)) == 1, widths
    # shown literally: the rendered text holds the value's words
    text = "".join(c.content for t in tokens if t.children for c in t.children if c.type == "text")
    assert "<script>alert(1)</script>" in text
    assert "[l](javascript:x)" in text
    assert "`boilerplate.my_rule-1.x`" in body

    def section_text(title: str) -> str:
        start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == title)
        inline = next(t for t in tokens[start + 1 :] if t.type == "inline")
        return "".join(
            c.content for c in inline.children or [] if c.type in ("text", "code_inline")
        )

    # escaped once, not twice: the reader sees the value, not backslashes
    for title in ("Dataset Card Authors", "Dataset Card Contact", "More Information"):
        shown = section_text(title)
        assert "<script>alert(1)</script> | a | [l](javascript:x) *e* _u_ $m$ &amp;" in shown, shown
        assert "\\" not in shown, shown

    # Markup in the Hub's listed fields never reaches a card: it is refused, located.
    config["language"] = ["en", "<script>alert(1)</script>", "a | b"]
    config["task_categories"] = ["<b>bold</b>"]
    refused = make_corpus(tmp_path / "refused", n=4, config=config)
    result = run_cli("build", "-i", str(refused.root), "-o", str(tmp_path / "out2"))
    assert result.code == 1
    for pointer in ("/language/1", "/language/2", "/task_categories/0"):
        assert pointer in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out2").exists()


def test_bidirectional_controls_in_values_cannot_reorder_the_card(tmp_path, run_cli):
    """A right-to-left override in a publisher's name (or an isolate in a license name)
    would turn the rest of its table row around where the card is shown: each control is
    shown as its code point instead, in text, code spans and links alike."""
    from builder.card import md_code, md_escape, md_link

    assert md_escape("Daily \u202eswen\u202c") == "Daily (U+202E)swen(U+202C)"
    assert md_code("a\u2066b") == "a(U+2066)b"  # not a code span holding the control
    assert md_link("https://x.org/\u202ea") == "https://x.org/(U+202E)a"  # not a link
    assert md_escape("العربية") == "العربية"  # right-to-left text itself is left alone
    corpus = make_corpus(tmp_path / "in", n=4, write=False)
    for rec in corpus.sources:
        rec["publisher"] = "Daily \u202eswen\u202c Herald"
    corpus.write()
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    _, body = _card_parts((out / "README.md").read_text(encoding="utf-8"))
    assert "Daily (U+202E)swen(U+202C) Herald" in body  # the sources table
    assert '"publisher": "Daily \\u202eswen\\u202c Herald"' in body  # the example row's JSON
    assert not any(c in body for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(
    "expression",
    [
        '{{ config.root.joinpath("PWNED").write_text("owned") }}',
        "{{ config.path.read_text() }}",
        "{{ config.__class__.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{% for p in config.articles_dir.iterdir() %}{{ p }}{% endfor %}",
    ],
)
def test_the_card_template_cannot_reach_the_file_system(tmp_path, run_cli, expression):
    corpus = make_corpus(tmp_path / "w" / "in")
    template = tmp_path / "t.md"
    template.write_text("---\n{{ metadata | to_yaml }}---\n" + expression + "\n")
    before = snapshot(tmp_path)
    result = run_cli(
        "build",
        "-i",
        str(corpus.root),
        "-o",
        str(tmp_path / "w" / "out"),
        env={"BUILDER_CARD_TEMPLATE": str(template)},
    )
    assert_clean_failure(result, 1, "t.md")
    assert snapshot(tmp_path) == before
    assert not (corpus.root / "PWNED").exists()


def test_the_card_context_is_plain_data():
    from builder.card import plain_data
    from builder.config import load_config

    config = load_config(Path(__file__).resolve().parents[1] / "seeds")
    data = plain_data({"config": config, "p": Path("/tmp"), "s": {2, 1}})

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                assert type(k) is str
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert value is None or type(value) in (str, int, float, bool), type(value)

    walk(data)
    assert data["p"] == "/tmp" and data["config"]["root"].endswith("seeds")


@pytest.mark.parametrize("name", ["a|b", "a+b", "<script>", "a b", ""])
def test_rule_names_that_would_break_edit_reasons_or_tables_are_refused(tmp_path, run_cli, name):
    corpus = make_corpus(tmp_path / "in", config={"cleaning": {"rules": ["r.yaml"]}})
    (corpus.root / "r.yaml").write_text(
        yaml.safe_dump({"rules": [{"name": name, "phrases": ["Share"]}]})
    )
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "dataset.yaml", "/cleaning/rules/0", "rule name")


# -- inputs stay inside the input folder -------------------------------------------------


@pytest.mark.parametrize("mode", ["strict", "quarantine"])
def test_a_symlink_out_of_the_input_folder_is_not_read(tmp_path, run_cli, mode):
    secret = tmp_path / "secret" / "token"
    secret.parent.mkdir()
    secret.write_text("hf_SECRETSECRETSECRET\n")
    corpus = make_corpus(tmp_path / "w" / "in", write=False)
    leak = "005_leak"
    corpus.sources.append(source_record(leak))
    corpus.write()
    (corpus.articles / f"{leak}.txt").symlink_to(secret)
    out = tmp_path / "w" / "out"
    flags = ["--quarantine"] if mode == "quarantine" else []
    before = snapshot(tmp_path / "w")
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out), "--json", *flags)
    assert "Traceback" not in result.stdout + result.stderr
    issues = json.loads(result.stdout)["report"]["issues"]
    assert any(
        i["rule"] == "outside-input" and i["record"] == leak and i["file"].endswith(".txt")
        for i in issues
    ), issues
    if mode == "strict":
        assert result.code == 1
        assert snapshot(tmp_path / "w") == before
    else:
        assert result.code == 0, result.stderr
        for path in out.rglob("*"):
            if path.is_file():
                assert b"SECRETSECRET" not in path.read_bytes(), path
        digest = hashlib.sha256(secret.read_bytes()).hexdigest()
        assert digest not in (out / "manifest.json").read_text()
    valid = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(valid, 1, "outside-input")


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-input", "relative-input"])
@pytest.mark.parametrize("articles", ["shards/*.jsonl", {"files": "shards/*.jsonl"}])
def test_a_shard_a_glob_matches_that_links_out_is_not_read(tmp_path, run_cli, articles, relative):
    """``articles: "shards/*.jsonl"`` (a glob as a string) read a shard that is a link
    out of the input folder: only the ``files:`` form checked each match. With a relative
    ``--input`` (``builder build -i in``) no match was checked: each was joined to the
    input folder a second time (``in/in/shards/b.jsonl``, which is nowhere), and the
    link out was read."""
    secret = tmp_path / "secret" / "leak.jsonl"
    secret.parent.mkdir()
    secret.write_text(json.dumps({"id": "005_leak", "text": "hf_SECRETSECRETSECRET"}) + "\n")
    corpus = make_corpus(tmp_path / "in")
    (corpus.root / "shards").mkdir()
    (corpus.root / "shards" / "a.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": corpus.texts[i]}) + "\n" for i in corpus.ids)
    )
    (corpus.root / "shards" / "b.jsonl").symlink_to(secret)
    corpus.config["inputs"]["articles"] = articles
    corpus.write_config()
    given = "in" if relative else str(corpus.root)
    valid = run_cli("validate", "-i", given, cwd=tmp_path)
    assert_clean_failure(valid, 1, "outside-input", "b.jsonl")
    built = run_cli("build", "-i", given, "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert_clean_failure(built, 1, "outside-input", "b.jsonl")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("articles", "../elsewhere"),
        ("sources", "../elsewhere/sources.jsonl"),
        ("articles", "/"),
        # an absolute glob: each match was named relative to the folder (an internal error)
        ("articles", "{elsewhere}/*.jsonl"),
        ("articles", {"files": "{elsewhere}/*.jsonl"}),
    ],
)
def test_inputs_named_outside_the_input_folder_fail_validate_and_build(
    tmp_path, run_cli, key, value
):
    elsewhere = str(tmp_path / "elsewhere")
    if isinstance(value, dict):
        value = {"files": value["files"].format(elsewhere=elsewhere)}
    else:
        value = value.format(elsewhere=elsewhere)
    (tmp_path / "elsewhere").mkdir()
    corpus = make_corpus(tmp_path / "in")
    (tmp_path / "elsewhere" / "sources.jsonl").write_bytes(
        (corpus.root / "sources.jsonl").read_bytes()
    )
    cfg = yaml.safe_load((corpus.root / "dataset.yaml").read_text())
    cfg["inputs"][key] = value
    (corpus.root / "dataset.yaml").write_text(yaml.safe_dump(cfg))
    for command in (["validate"], ["build", "-o", str(tmp_path / "out")]):
        result = run_cli(*command, "-i", str(corpus.root))
        assert_clean_failure(
            result, 1, "dataset.yaml", f"/inputs/{key}", "outside the input folder"
        )
    assert not (tmp_path / "out").exists()


def test_a_symlinked_sources_file_leading_out_is_refused(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    outside = tmp_path / "sources.jsonl"
    (corpus.root / "sources.jsonl").rename(outside)
    (corpus.root / "sources.jsonl").symlink_to(outside)
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "/inputs/sources", "outside the input folder")


# -- what the user reads -----------------------------------------------------------------


@pytest.mark.parametrize("label", ["[/ORG]", "[x]", "[bold]ORG", ":smile:"])
@pytest.mark.parametrize("terminal", [False, True])
def test_markup_in_data_is_shown_literally_and_never_crashes(tmp_path, run_cli, label, terminal):
    corpus = make_corpus(tmp_path / "w" / "in", write=False)
    corpus.annotations[1]["entities"][0]["label"] = label
    corpus.write()
    env = {"TTY_COMPATIBLE": "1", "COLUMNS": "400"} if terminal else {}
    for command in (["validate"], ["build", "-o", str(tmp_path / "w" / "out")]):
        result = run_cli(*command, "-i", str(corpus.root), env=env)
        assert_clean_failure(result, 1, label)
    assert not (tmp_path / "w" / "out").exists()


def test_errors_in_a_log_are_one_unwrapped_line_each(tmp_path, run_cli):
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "in"
    corpus = make_corpus(deep, n=4, write=False)
    bad = article_id(2)
    corpus.sources[2]["url"] = "not a url"
    corpus.annotations[3]["entities"][0]["label"] = "NOPE\nsecond line"
    corpus.write()
    line = corpus.line_of("sources.jsonl", bad)
    result = run_cli("validate", "-i", str(corpus.root), env={"COLUMNS": "80"})
    assert result.code == 1
    lines = result.stderr.splitlines()
    expected = f"sources.jsonl:{line}: error format: "
    mine = [ln for ln in lines if ln.startswith(expected)]
    assert len(mine) == 1, lines
    assert mine[0].endswith(f"({bad}, /url)"), mine
    assert not any("│" in ln or "┃" in ln for ln in lines)
    annotation = [ln for ln in lines if ln.startswith("annotations.jsonl:")]
    assert annotation and all("\\n" in ln or "second line" not in ln for ln in annotation)
    assert any(str(corpus.root / "dataset.yaml") in ln or "invalid:" in ln for ln in lines)
    build = run_cli(
        "build", "-i", str(corpus.root), "-o", str(tmp_path / "o"), env={"COLUMNS": "80"}
    )
    assert build.code == 1
    assert any(ln.startswith(expected) for ln in build.stderr.splitlines())


def test_a_long_path_in_a_summary_is_not_wrapped(tmp_path, run_cli):
    deep = tmp_path / ("a-rather-long-folder-name-" * 4)
    corpus = make_corpus(tmp_path / "in")
    out = deep / "dataset"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out), env={"COLUMNS": "80"})
    assert result.code == 0, result.stderr
    assert any(str(out) in ln for ln in result.stderr.splitlines()), result.stderr


# -- limits, windows, temporary folders, disk full ------------------------------------------


@pytest.mark.parametrize("key", ["published", "captured"])
def test_a_date_window_ending_before_it_starts_is_refused(tmp_path, run_cli, key):
    corpus = make_corpus(tmp_path / "in", write=False)
    corpus.sources[1][key] = {"earliest": "2024-05-02", "latest": "2024-05-01", "note": None}
    corpus.write()
    result = run_cli("validate", "-i", str(corpus.root), "--json")
    assert_clean_failure(result, 1)
    issues = json.loads(result.stdout)["report"]["issues"]
    line = corpus.line_of("sources.jsonl", article_id(1))
    assert any(
        i["rule"] == "date-window"
        and i["file"] == "sources.jsonl"
        and i["line"] == line
        and i["pointer"] == f"/{key}"
        for i in issues
    ), issues


def test_clean_reads_no_more_than_the_article_limit(tmp_path, run_cli):
    result = run_cli("clean", "/dev/zero")
    assert_clean_failure(result, 1, "/dev/zero: more than", "(limits.max_article_bytes")
    corpus = make_corpus(tmp_path / "in", config={"limits": {"max_article_bytes": 10}})
    big = tmp_path / "big.txt"
    big.write_text("x" * 11)
    result = run_cli("clean", "--config", str(corpus.root), str(big))
    assert_clean_failure(result, 1, str(big), "more than 10 bytes")
    result = run_cli("clean", "--config", str(corpus.root), stdin="y" * 11)
    assert_clean_failure(result, 1, "<stdin>")


def test_a_killed_runs_temporary_folder_is_removed_by_the_next_run(tmp_path, run_cli):
    import signal
    import subprocess
    import sys
    import time

    from conftest import child_env

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = child_env({"TMPDIR": str(tmp)})
    # a run that stays alive (reading stdin) long enough to be killed
    child = subprocess.Popen(
        [sys.executable, "-m", "builder", "clean"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not list(tmp.glob("builder-run-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = list(tmp.glob("builder-run-*"))
    assert len(left) == 1
    (left[0] / "staging.sqlite").write_bytes(b"x" * 1000)
    alive = tmp / f"builder-run-{os.getpid()}-0-x"  # a pid that lives, another start: stale
    alive.mkdir()
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert left[0].exists()  # SIGKILL: nothing could clean up
    result = run_cli(
        "validate", "-i", str(make_corpus(tmp_path / "in").root), env={"TMPDIR": str(tmp)}
    )
    assert result.code == 0, result.stderr
    assert sorted(tmp.iterdir()) == []


def test_a_running_runs_temporary_folder_is_kept(tmp_path):
    import psutil

    from builder.runtmp import remove_stale_runs

    me = psutil.Process()
    mine = tmp_path / f"builder-run-{me.pid}-{int(me.create_time() * 1000)}-abc"
    mine.mkdir()
    assert remove_stale_runs(tmp_path) == []
    assert mine.exists()


def test_disk_full_names_the_place(tmp_path, run_cli):
    import sqlite3
    import stat

    from builder.output import DiskFullError, disk_full_located

    # /dev/full answers every write with ENOSPC (never pass it to a writer that removes
    # its target on failure, as pyarrow's write_table(path) does)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full is not the device"
    corpus = make_corpus(tmp_path / "in")
    result = run_cli("validate", "-i", str(corpus.root), "--report", "/dev/full")
    assert_clean_failure(result, 1, "/dev/full", "no space left")
    with pytest.raises(DiskFullError, match=str(tmp_path)), disk_full_located(tmp_path):
        raise sqlite3.OperationalError("database or disk is full")
    with pytest.raises(DiskFullError, match="/x/y"), disk_full_located(tmp_path):
        raise OSError(28, "No space left on device", "/x/y")
    import pyarrow as pa
    import pyarrow.parquet as pq

    with (
        pytest.raises(DiskFullError, match=str(tmp_path)),
        disk_full_located(tmp_path),
        open("/dev/full", "wb") as sink,
    ):
        pq.write_table(pa.table({"a": list(range(100_000))}), sink)  # no file name
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


# -- link loops and encodings (found by bench/fuzz_inputs.py) --------------------------------


@pytest.mark.parametrize("name", ["sources.jsonl", "annotations.jsonl"])
def test_an_input_that_is_a_link_to_itself_is_a_located_error(tmp_path, run_cli, name):
    """``Path.resolve()`` on a link loop raised ``RuntimeError`` (Python < 3.13) while the
    output folder was checked: exit 3 "internal error" instead of naming the file."""
    corpus = make_corpus(tmp_path / "in")
    loop = corpus.root / name
    loop.unlink()
    loop.symlink_to(loop)
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out), "--workers", "1")
    assert_clean_failure(result, 1, name)
    assert not out.exists()


def test_an_out_folder_that_is_a_link_to_itself_is_a_located_error(tmp_path, run_cli, seeds_dir):
    out = tmp_path / "out"
    out.symlink_to(out)
    result = run_cli("build", "-i", str(seeds_dir), "-o", str(out), "--workers", "1")
    assert_clean_failure(result, 1, "Too many levels of symbolic links", str(out))
    assert out.is_symlink()


def test_an_unexpected_runtime_error_is_still_an_internal_error():
    """Only pathlib's link loop is bad input; any other ``RuntimeError`` stays a bug (exit 3)."""
    import errno

    from builder.cli_common import symlink_loop

    loop = symlink_loop(RuntimeError("Symlink loop from '/a/b c'"))
    assert loop is not None and loop.errno == errno.ELOOP and loop.filename == "/a/b c"
    assert symlink_loop(RuntimeError("dictionary changed size during iteration")) is None


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (b"name: a\nversion: \xff1.0\n", ("dataset.yaml:2", "column 10")),
        ("name: a\n".encode("utf-16"), ("dataset.yaml:1", "UTF-16")),
    ],
)
def test_a_configuration_that_is_not_utf8_names_the_line(tmp_path, run_cli, data, needles):
    corpus = make_corpus(tmp_path / "in")
    (corpus.root / "dataset.yaml").write_bytes(data)
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "encoding", *needles)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  articles: articles", '  articles: "art\\0x"'),
        ("  sources: sources.jsonl", '  sources: "s\\ud800.jsonl"'),
        ("    - path: annotations.jsonl", '    - path: "a\\0.jsonl"'),
    ],
)
def test_a_path_no_system_can_open_is_a_located_error(tmp_path, run_cli, seeds_copy, old, new):
    """Was exit 3: ``ValueError: embedded null byte`` / ``UnicodeEncodeError``."""
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert_clean_failure(result, 1, f"dataset.yaml:{line}", "not usable text")
    assert not (tmp_path / "out").exists()
