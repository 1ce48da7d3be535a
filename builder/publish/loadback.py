"""Load a published release back, exactly as a consumer would, and summarise it.

For a git target the tag is checked out (with git-lfs, so Parquet files are
real, not pointers) into a temporary folder and read with
``datasets.load_dataset``; for a Hub target ``load_dataset(repo, revision=tag)``
is the consumer's own call.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .target import ReleaseTarget

__all__ = ["load_release", "summarize"]


def summarize(dataset: Any) -> dict[str, Any]:
    """Rows per split, the features' top-level types, and span counts."""
    import datasets

    splits = {}
    for name, split in dataset.items():
        entities = sum(len(e) for e in split["entities"]) if "entities" in split.column_names else 0
        quotes = sum(len(q) for q in split["quotes"]) if "quotes" in split.column_names else 0
        splits[name] = {"rows": split.num_rows, "entities": entities, "quotes": quotes}
    features = next(iter(dataset.values())).features
    kinds = {}
    for key, feature in features.items():
        if isinstance(feature, datasets.ClassLabel):
            kinds[key] = f"ClassLabel{feature.names}"
        elif isinstance(feature, datasets.List):
            kinds[key] = "List(struct)" if isinstance(feature.feature, dict) else "List"
        elif isinstance(feature, dict):
            kinds[key] = "struct"
        else:
            kinds[key] = getattr(feature, "dtype", type(feature).__name__)
    return {"splits": splits, "features": kinds}


def load_release(target: ReleaseTarget, tag: str) -> dict[str, Any]:
    """Load release ``tag`` from ``target`` and return :func:`summarize` of it."""
    import datasets

    datasets.disable_progress_bars()  # the summary is the output, not per-split bars
    with tempfile.TemporaryDirectory(prefix="builder-load-") as tmp:
        dest = Path(tmp) / "release"
        target.materialize(tag, dest)
        dataset = datasets.load_dataset(str(dest), cache_dir=str(Path(tmp) / "cache"))
        summary = summarize(dataset)
    summary["tag"] = tag
    summary["target"] = target.description
    return summary
