#!/usr/bin/env bash
# The methods table: every --method through `spark-ssl train` (local mode, 2 workers) on one
# image-folder dataset, then BYOL and VICReg in the PyTorch twin with the same recipe; k-NN top-1 of the
# trained encoder and of the same encoder at random initialisation, RankMe, images/s and wall time.
# Logs and metrics go under OUT; a run whose results are already under OUT is not repeated.
#   deploy/bench/methods-table.sh DATA_DIR OUT_DIR [EPOCHS] [METHODS] [-- extra train options]
# DATA_DIR holds train/<class>/*.png and test/<class>/*.png (spark-ssl prepare-fashion-mnist writes one).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage="usage: methods-table.sh DATA_DIR OUT_DIR [EPOCHS] [METHODS] [-- train options]"
data="${1:?$usage}"
out="${2:?$usage}"
epochs="${3:-3}"
methods="${4:-simclr,byol,simsiam,dino,vicreg,barlow}"
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
mkdir -p "$out"
common=(--corpus "$data/train" --eval-train "$data/train" --eval-test "$data/test" --epochs "$epochs" --eval-every 0)

for m in ${methods//,/ }; do
  if [ ! -f "$out/job-$m/model.zip" ]; then
    rm -rf "$out/job-$m"
    echo "$m: start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
    started=$(date +%s)
    "$here/../bin/spark-ssl" train "${common[@]}" --method "$m" --workers 2 --run-dir "$out/job-$m" \
      "${extra[@]}" > "$out/job-$m.log" 2>&1
    echo $(( $(date +%s) - started )) > "$out/job-$m.wall"
  fi
  grep -E 'k-NN top-1 \(k=' "$out/job-$m.log" | sed "s/^/$m: /"
done
for m in byol vicreg; do
  [[ ",$methods," == *",$m,"* ]] || continue
  evaluated=$(grep -c '"knn_top1"' "$out/twin-$m.jsonl" 2>/dev/null || true)
  if [ "${evaluated:-0}" -lt 1 ]; then
    echo "twin $m: start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
    started=$(date +%s)
    /usr/bin/python3 "$here/twin.py" "${common[@]}" --method "$m" "${extra[@]}" > "$out/twin-$m.jsonl"
    echo $(( $(date +%s) - started )) > "$out/twin-$m.wall"
  fi
done
echo "end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
/usr/bin/python3 "$here/methods_table.py" "$out" "$methods" "$data" "$epochs" "${extra[@]}"
