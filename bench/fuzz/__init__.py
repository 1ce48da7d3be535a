"""Seeded fuzzing of the inputs against the command line's contract for bad input.

The contract: bad input gets a message naming the file (and the line or record
where there is one), a non-zero exit code (1 data, 2 usage; never 3, "internal
error", which is a bug), no traceback, and the output folder either absent or
the previous build byte for byte.

Each case copies ``seeds/`` to a temporary folder, applies one mutation, runs
``builder build --input DIR --out OUT`` over a copy of a good build (and, for
some cases, ``validate``, ``clean --config`` or ``release``), and checks it.

The parts: :mod:`.model` (what a case is), :mod:`.mutations` (functions that change
one thing in a copy of the inputs), the ``cases_*`` modules (the cases, by kind of
input, gathered by :mod:`.cases`), :mod:`.checks` (the contract, on one outcome) and
:mod:`.runner` (copies, commands, the command line of ``bench/fuzz_inputs.py``).
"""

from __future__ import annotations

from .cases import all_cases
from .checks import check, tree_digest
from .model import Case, Outcome
from .runner import good_build, main, run_case

__all__ = ["Case", "Outcome", "all_cases", "check", "good_build", "main", "run_case", "tree_digest"]
