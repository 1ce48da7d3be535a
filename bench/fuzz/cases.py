"""Every case, gathered from the modules that make them (one per kind of input)."""

from __future__ import annotations

from .cases_config import config_cases, out_inside_input
from .cases_exports import export_cases
from .cases_folders import folder_cases
from .cases_inputs import compressed_cases, file_cases, record_cases
from .cases_publish import publish_cases
from .cases_refs import ref_cases
from .cases_web import web_cases
from .model import Case

__all__ = ["all_cases"]


def all_cases() -> list[Case]:
    cases = [
        *file_cases(),
        *compressed_cases(),
        *record_cases(),
        *config_cases(),
        *out_inside_input(),
        *export_cases(),
        *folder_cases(),
        *web_cases(),
        *publish_cases(),
        *ref_cases(),
    ]
    unique: dict[str, Case] = {}
    for case in cases:
        unique.setdefault(case.name, case)  # the deep walk repeats the shallow one
    return list(unique.values())
