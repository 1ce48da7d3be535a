"""Versioned publishing: one atomic commit plus an immutable ``vX.Y.Z`` tag per release.

Two targets share one release logic (:mod:`.release`) through a small
interface (:mod:`.target`): the Hugging Face Hub (:mod:`.hub`, through
``huggingface_hub.HfApi``) and any plain git repository with git-lfs
(:mod:`.gitrepo`), which is what a Hub dataset repo is underneath.

Submodules import their heavy dependencies themselves, so importing this
package stays cheap. The card's release-dependent parts (Versions section, load
snippet) are :mod:`builder.card_versions`: the build renders them for a local build,
publishing re-renders them for the release; the build imports nothing from here.
"""

from __future__ import annotations

__all__: list[str] = []
