#!/usr/bin/env bash
# Quality as workers grow: `spark-ssl train` in local mode at each W with the same per-worker batch and
# recipe (so each W's encoder is exactly what W executors would train; local mode runs the W tasks two
# at a time, so wall time is not the measure), k-NN top-1 after every epoch. With TWIN=1 the PyTorch
# twin trains the same W with ideal parameter averaging (W model copies, the same averaging frequency,
# the job's learning rate as the job applied it), the reference the job's averaging is judged by.
# A run whose results under OUT already cover EPOCHS epochs is not repeated; a summary table ends it.
#   deploy/bench/scaling.sh DATA_DIR OUT_DIR [EPOCHS] [WORKERS] [-- extra train options]
# DATA_DIR holds train/<class>/*.png and test/<class>/*.png (spark-ssl prepare-fashion-mnist writes one).
# NAME=label names the runs (default: the extra options), so one OUT can hold several recipes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage="usage: scaling.sh DATA_DIR OUT_DIR [EPOCHS] [WORKERS, e.g. 1,2,4,8,16] [-- train options]"
data="${1:?$usage}"
out="${2:?$usage}"
epochs="${3:-5}"
workers="${4:-1,2,4,8,16}"
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
name="${NAME:-$(echo "${extra[*]:-defaults}" | tr -c 'A-Za-z0-9.=-' '_' | sed 's/^-*//;s/_*$//')}"
mkdir -p "$out"
common=(--corpus "$data/train" --eval-train "$data/train" --eval-test "$data/test" --epochs "$epochs" --eval-every 1)
done_epochs() { local n=0; if [ -f "$1" ]; then n=$(grep -c '"knn_top1"' "$1" || true); fi; echo "${n:-0}"; }

echo "$(date -u +%FT%TZ) load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
for w in ${workers//,/ }; do
  run="$out/$name-w$w"
  if [ "$(done_epochs "$run/metrics.jsonl")" -lt "$epochs" ]; then
    rm -rf "$run"
    "$here/../bin/spark-ssl" train --master 'local[2]' "${common[@]}" --workers "$w" --run-dir "$run" "${extra[@]}" \
      > "$run.log" 2>&1 || { echo "train at W=$w failed: $run.log" >&2; exit 1; }
  fi
  if [ "${TWIN:-0}" = 1 ] && [ "$(done_epochs "$run-twin.jsonl")" -lt "$epochs" ]; then
    # the twin takes the job's recipe as the job recorded it, its learning rate as applied
    mapfile -t twin_args < <(/usr/bin/python3 - "$run/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
m, o = c["model"], c["model"]["optimizer"]
args = ["--workers", c["workers"], "--averaging-frequency", c["averaging_frequency"], "--batch-size", c["batch_size_per_worker"],
        "--method", m["method"], "--optimizer", o["kind"], "--learning-rate", o["learningRate"], "--weight-decay", o["weightDecay"],
        "--seed", c["model"]["seed"], "--outer-optimizer", c["outer_optimizer"]["kind"],
        "--outer-lr", c["outer_optimizer"]["lr"], "--outer-momentum", c["outer_optimizer"]["momentum"]]
if o["schedule"] == "cosine":
    args += ["--lr-schedule", "cosine", "--warmup-epochs", o["warmupSteps"] / c["steps_per_epoch"]]
print("\n".join(str(a) for a in args))
PY
)
    /usr/bin/python3 "$here/twin.py" "${common[@]}" "${twin_args[@]}" > "$run-twin.jsonl"
  fi
done
echo "$(date -u +%FT%TZ) load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
/usr/bin/python3 "$here/scaling_table.py" "$out"
