"""A non-editable install carries the schemas and the card template.

``schema/`` and ``dataset_card.md`` sit outside the ``builder`` package, so a
wheel would miss them unless the build copies them in (``setup.py``). This
builds the package as a wheel build does, runs it from a folder with no
repository around it, and validates the seeds with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import GUARD_DIR

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "dataset_card.md")


def _build_lib(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copyfile(ROOT / name, project / name)
    for folder in ("builder", "schema"):
        shutil.copytree(
            ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    lib = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)],
        cwd=project,
        check=True,
        capture_output=True,
    )
    shutil.rmtree(project)  # nothing may point back at the source tree
    return lib


def test_built_package_bundles_schemas_and_template_and_validates_the_seeds(
    tmp_path: Path, seeds_dir: Path
) -> None:
    lib = _build_lib(tmp_path)
    for schema in (ROOT / "schema").glob("*.json"):
        assert (lib / "builder" / "schemas" / schema.name).read_bytes() == schema.read_bytes()
    template = lib / "builder" / "templates" / "dataset_card.md"
    assert template.read_bytes() == (ROOT / "dataset_card.md").read_bytes()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUILDER_")}
    # The built package alone, plus the loopback guard every child of the suite runs under.
    env["PYTHONPATH"] = os.pathsep.join([str(GUARD_DIR), str(lib)])
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import builder, builder.card as c, builder.validate.schemas as s;"
            "print(builder.__file__); print(s.schema_dir()); print(c.template_path())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    package, schemas, card = (Path(line) for line in probe.stdout.split())
    assert package.is_relative_to(lib)
    assert schemas == lib / "builder" / "schemas"
    assert card == template

    shutil.copytree(seeds_dir, elsewhere / "seeds")
    run = subprocess.run(
        [sys.executable, "-m", "builder", "validate", "-i", "seeds"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
