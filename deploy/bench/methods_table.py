"""Prints the README's methods table from the results methods-table.sh left under OUT.

usage: methods_table.py OUT METHODS DATA EPOCHS [extra train options...]
"""
import json
import os
import sys

out, methods, data, epochs, extra = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4], sys.argv[5:]
BACKBONE = "small CNN"
common = f"--corpus {data}/train --eval-train {data}/train --eval-test {data}/test --epochs {epochs} --eval-every 0"
tail = (" " + " ".join(extra)) if extra else ""


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def wall(name):
    with open(os.path.join(out, name + ".wall")) as f:
        seconds = int(f.read())
    return f"{seconds // 60} min {seconds % 60:02d} s"


def pct(x):
    return f"{100 * x:.1f}%"


print("| method | backbone | run | epochs | k-NN top-1 | random init | RankMe | images/s | wall | command |")
print("|---|---|---|---|---|---|---|---|---|---|")
for m in methods:
    recs = records(os.path.join(out, f"job-{m}", "metrics.jsonl"))
    last = recs[-1]
    rate = sum(r["images"] for r in recs) / sum(r["wall_s"] for r in recs)
    print(f"| {m} | {BACKBONE} | spark-ssl, 2 workers x 64 | {last['epoch']} | **{pct(last['knn_top1'])}** "
          f"| {pct(last['knn_top1_random_init'])} | {last['collapse']['embedding_rankme']:.1f} | {rate:.0f} "
          f"| {wall('job-' + m)} | `spark-ssl train --method {m} --workers 2 {common}{tail}` |")
    twin = os.path.join(out, f"twin-{m}.jsonl")
    if os.path.exists(twin):
        recs = records(twin)
        last = recs[-1]
        rate = sum(r["images"] for r in recs) / sum(r["wall_s"] for r in recs)
        print(f"| {m} | {BACKBONE} | PyTorch twin, batch 64 | {last['epoch']} | **{pct(last['knn_top1'])}** | - "
              f"| {last['embedding_rankme']:.1f} | {rate:.0f} | {wall('twin-' + m)} "
              f"| `python3 deploy/bench/twin.py --method {m} {common}{tail}` |")
