"""Bundle the project's schemas and card template into the ``builder`` package.

``schema/`` and ``dataset_card.md`` live at the top of the repository (the
layout is fixed by the design), outside the package. A wheel carries them as
``builder/schemas/`` and ``builder/templates/dataset_card.md``, which
``builder.validate.schemas.schema_dir`` and ``builder.card.template_path``
look for first; an editable install reads the repository's own files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "builder"
        schemas = package / "schemas"
        schemas.mkdir(parents=True, exist_ok=True)
        for schema in sorted((ROOT / "schema").glob("*.json")):
            shutil.copyfile(schema, schemas / schema.name)
        templates = package / "templates"
        templates.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "dataset_card.md", templates / "dataset_card.md")


setup(cmdclass={"build_py": BuildPyWithData})
