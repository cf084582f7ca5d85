#!/usr/bin/env bash
# The learning comparison of spark-ssl against its PyTorch twin on one image-folder dataset:
# the twin first, then `spark-ssl train` (local mode) at each averaging frequency, same recipe,
# k-NN top-1 after every epoch. Logs and metrics go under OUT; a summary table is printed at the end.
# A run whose results under OUT already cover EPOCHS epochs is not repeated (rerun to fill gaps).
#   deploy/bench/learning-table.sh DATA_DIR OUT_DIR [EPOCHS] [FREQUENCIES] [-- extra train options]
# DATA_DIR holds train/<class>/*.png and test/<class>/*.png (spark-ssl prepare-fashion-mnist writes one).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${1:?usage: learning-table.sh DATA_DIR OUT_DIR [EPOCHS] [FREQUENCIES] [-- train options]}"
out="${2:?usage: learning-table.sh DATA_DIR OUT_DIR [EPOCHS] [FREQUENCIES] [-- train options]}"
epochs="${3:-5}"
freqs="${4:-4,16}"
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
mkdir -p "$out"
common=(--corpus "$data/train" --eval-train "$data/train" --eval-test "$data/test" --epochs "$epochs" --eval-every 1)

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"
done_epochs() { local n=0; if [ -f "$1" ]; then n=$(grep -c '"knn_top1"' "$1" || true); fi; echo "${n:-0}"; }
if [ "$(done_epochs "$out/twin.jsonl")" -lt "$epochs" ]; then
  /usr/bin/python3 "$here/twin.py" "${common[@]}" "${extra[@]}" | tee "$out/twin.jsonl"
fi
for f in ${freqs//,/ }; do
  [ "$(done_epochs "$out/job-avg$f/metrics.jsonl")" -ge "$epochs" ] && continue
  rm -rf "$out/job-avg$f"
  "$here/../bin/spark-ssl" train "${common[@]}" --workers 2 --averaging-frequency "$f" --run-dir "$out/job-avg$f" \
    "${extra[@]}" > "$out/job-avg$f.log" 2>&1
  grep -E 'epoch [0-9]+/' "$out/job-avg$f.log" || true
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
/usr/bin/python3 - "$out" "$freqs" <<'PY'
import json, sys, os
out, freqs = sys.argv[1], sys.argv[2].split(",")
rows = {"PyTorch twin": [json.loads(l) for l in open(os.path.join(out, "twin.jsonl")) if l.startswith("{")]}
for f in freqs:
    rows[f"spark-ssl, averaging {f}"] = [json.loads(l) for l in open(os.path.join(out, f"job-avg{f}", "metrics.jsonl"))]
epochs = max(len(r) for r in rows.values())
print("| run | " + " | ".join(f"epoch {e}" for e in range(1, epochs + 1)) + " | images/s |")
print("|---" * (epochs + 2) + "|")
for name, recs in rows.items():
    cells = [f"{100 * r['knn_top1']:.1f}%" if "knn_top1" in r else "-" for r in recs]
    rate = sum(r["images"] for r in recs) / sum(r["wall_s"] for r in recs)
    print(f"| {name} | " + " | ".join(cells) + f" | {rate:.0f} |")
PY
