"""The table of deploy/bench/scaling.sh: one row per run directory under OUT (NAME-wW), in name and W order.

Per run: workers, global batch, sequential updates per epoch, the learning rate the workers applied,
k-NN top-1 after every epoch, the final loss; with a twin beside it (NAME-wW-twin.jsonl), the twin's
final k-NN and the gap; and the first epoch at which the run reached the final k-NN of W=1 of the
same name, else of the first recipe whose name starts with the same word, the method (W=1 is the same
run under any --lr-scaling or outer optimiser); ">N" when it did not within its epochs. Last, a round's overhead beyond its workers' busy time.
"""
import json
import os
import re
import sys


def runs(out):
    for d in sorted(os.listdir(out)):
        m = re.fullmatch(r"(.*)-w(\d+)", d)
        path = os.path.join(out, d)
        if m and os.path.isfile(os.path.join(path, "metrics.jsonl")):
            yield m.group(1), int(m.group(2)), path


def round_overhead(config, recs):
    """Seconds a round takes beyond its workers' busy time (steps, views, loading the model) spread over the
    task slots (local[N]: N; elsewhere one per worker), mean over the epochs after the first."""
    m = re.fullmatch(r"local\[(\d+)\]", config.get("spark_master", ""))
    later = recs[1:] or recs
    per_round = []
    for r in later:
        t, w = r["worker_time_s"], r["workers"]
        setup = t["averaging"] - w * t["driver_averaging"]
        slots = min(w, int(m.group(1))) if m else w
        per_round.append((t["rounds_wall"] - (t["compute"] + t["data"] + setup) / slots) / r["averaging_rounds"])
    return sum(per_round) / len(per_round)


def main(out):
    rows = sorted(runs(out), key=lambda r: (r[0], r[1]))
    target = {}
    for name, w, path in rows:
        if w == 1:
            recs = [json.loads(line) for line in open(os.path.join(path, "metrics.jsonl"))]
            target[name] = recs[-1].get("knn_top1")
    print("| recipe | W | global batch | updates/epoch | lr applied | k-NN top-1 after each epoch | final loss "
          "| twin k-NN (gap) | epochs to W=1's final | round overhead s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, w, path in rows:
        c = json.load(open(os.path.join(path, "config.json")))
        recs = [json.loads(line) for line in open(os.path.join(path, "metrics.jsonl"))]
        knn = [r.get("knn_top1") for r in recs]
        curve = " / ".join(f"{100 * k:.1f}" if k is not None else "-" for k in knn)
        twin_cell = "-"
        twin_file = path + "-twin.jsonl"
        if os.path.isfile(twin_file):
            twin = [json.loads(line) for line in open(twin_file) if line.startswith("{")]
            if twin and "knn_top1" in twin[-1]:
                t = twin[-1]["knn_top1"]
                twin_cell = f"{100 * t:.1f}% ({100 * (knn[-1] - t):+.1f})"
        reach = "-"
        method = name.split("-")[0]
        goal = target.get(name, next((k for n, k in target.items() if n.split("-")[0] == method), None))
        if goal is not None:
            hit = [i + 1 for i, k in enumerate(knn) if k is not None and k >= goal]
            reach = str(hit[0]) if hit else f">{len(knn)}"
        print(f"| {name} | {w} | {c['global_batch']} | {c['steps_per_epoch']} | {c['model']['optimizer']['learningRate']:.3g} "
              f"| {curve} | {recs[-1]['loss']:.3f} | {twin_cell} | {reach} | {round_overhead(c, recs):.3f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
