"""Seeded fuzzing of the inputs against the command line's contract for bad input
(the harness is the ``bench/fuzz`` package; see its docstring).

    .venv/bin/python bench/fuzz_inputs.py                 # every case, 2 at a time
    .venv/bin/python bench/fuzz_inputs.py --only config   # cases whose name has "config"
    .venv/bin/python bench/fuzz_inputs.py --list          # names only
    .venv/bin/python bench/fuzz_inputs.py --sample 40 --seed 3

``tests/test_fuzz_inputs.py`` runs a small deterministic sample in process.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz import Case, Outcome, all_cases, check, good_build, main, run_case

__all__ = ["Case", "Outcome", "all_cases", "check", "good_build", "main", "run_case"]

if __name__ == "__main__":
    sys.exit(main())
