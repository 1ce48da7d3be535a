"""Exports of a build for annotation tools (review, then import back)."""

from .label_studio import ExportSummary, export_label_studio

__all__ = ["ExportSummary", "export_label_studio"]
