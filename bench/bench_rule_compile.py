"""Rule compile time per process: load_rules, RuleSet, Cleaner.default(), CPU time in
fresh subprocesses, another tree (/tmp/m21) and this one interleaved; medians.

    .venv/bin/python bench/bench_rule_compile.py 7
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

code = r"""
import time, json, re
from builder.clean import rules as R, pipeline
re.purge()
a=time.process_time(); rules=R.load_rules(); b=time.process_time(); rs=R.RuleSet(rules); c=time.process_time()
re.purge()
f=time.process_time(); cl=pipeline.Cleaner.default(); g=time.process_time()
print(json.dumps(dict(load_rules=b-a, ruleset=c-b, cleaner_default=g-f)))
"""
HERE = Path(__file__).resolve().parent.parent
py = str(HERE / ".venv" / "bin" / "python")
runs = {"old": [], "new": []}
for i in range(int(sys.argv[1])):
    for side in ["old", "new"] if i % 2 == 0 else ["new", "old"]:
        env = {"PYTHONPATH": "/tmp/m21"} if side == "old" else {"PYTHONPATH": str(HERE)}
        runs[side].append(
            json.loads(
                subprocess.run(
                    [py, "-c", code], capture_output=True, text=True, env=env, cwd="/tmp"
                ).stdout
            )
        )
for k in runs["old"][0]:
    o = statistics.median(r[k] for r in runs["old"]) * 1000
    n = statistics.median(r[k] for r in runs["new"]) * 1000
    print(f"{k:<16}{o:8.1f} -> {n:8.1f} ms")
