"""The boilerplate step alone, another tree's vs this one's, interleaved, CPU time.

    .venv/bin/python bench/bench_boilerplate_step.py dev 4    # real dev pages (noisy)
    .venv/bin/python bench/bench_boilerplate_step.py c5k 4    # /tmp/c5k/articles, first 2,000

The old tree is /tmp/m21 (``OLD_TREE``). Each text is run through the steps before
``boilerplate`` once; then each rep times ``find_edits`` alone with a fresh step (cold
rule tables and line views, as a new worker process has them).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
OLD_TREE = Path("/tmp/m21")
import bench_clean as bc  # noqa: E402

which = sys.argv[1]
if which == "dev":
    texts = [p["noisy"] for p in bc.dev_pages()]
else:
    texts = [p.read_text() for p in sorted(Path("/tmp/c5k/articles").glob("*.txt"))][:2000]
old = bc._load_tree(OLD_TREE, "rsold")
from builder.clean import pipeline as new  # noqa: E402


def prep(pipe):
    steps_mod = sys.modules[pipe.__name__.rsplit(".", 1)[0] + ".steps"]
    cl = pipe.Cleaner.default()
    ins = []
    for raw in texts:
        ctx = steps_mod.DocumentContext()
        form = pipe.text_form(raw)
        ctx.attributes.update(
            text_form=form.label, lowercased=form.lowercased, tokenized=form.tokenized
        )
        emap = pipe.EditMap(raw)
        for st in cl.steps:
            if st.name == "boilerplate":
                ins.append((emap.text, ctx))
                break
            emap.apply(st.find_edits(emap.text, ctx))
    return ins, steps_mod


sides = {"old": (old, *prep(old)), "new": (new, *prep(new))}
res = {"old": [], "new": []}
for rep in range(int(sys.argv[2])):
    for name in ["old", "new"] if rep % 2 == 0 else ["new", "old"]:
        pipe, ins, steps_mod = sides[name]
        bp_mod = sys.modules[pipe.__name__.rsplit(".", 1)[0] + ".boilerplate"]
        rules_mod = sys.modules[pipe.__name__.rsplit(".", 1)[0] + ".rules"]
        step = bp_mod.BoilerplateLines(rules_mod.load_rules())
        lines_mod = sys.modules[pipe.__name__.rsplit(".", 1)[0] + ".lines"]
        lines_mod.line_view.cache_clear()
        t0 = time.process_time()
        for text, ctx in ins:
            step.find_edits(text, ctx)
        res[name].append(time.process_time() - t0)
mb = sum(len(t.encode()) for t in texts) / 1e6
for k, v in res.items():
    m = statistics.median(v)
    print(
        f"{which} boilerplate step {k}: {m / len(texts) * 1e6:8.1f} us/text  {mb / m:6.2f} MB/s  runs {[round(x, 2) for x in v]}"
    )
