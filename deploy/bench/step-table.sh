#!/usr/bin/env bash
# benchmark-step with every row in a JVM (and a PyTorch process) of its own, so no row starts from
# an earlier row's resident memory: PeakRss can only reset the high-water mark to the current RSS.
# Prints benchmark-step's table, one row per model and batch, and the load average around it.
#
#   deploy/bench/step-table.sh [MODELS (small-cnn,conv-bn-relu,resnet18)] [PAIRS (64,256)] [-- benchmark-step options]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
models=${1:-small-cnn,conv-bn-relu,resnet18} pairs=${2:-64,256}
shift $(( $# >= 2 ? 2 : $# ))
[[ ${1:-} == -- ]] && shift
echo "start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
header=1
for m in ${models//,/ }; do
  for p in ${pairs//,/ }; do
    out=$("$here/deploy/bin/spark-ssl" benchmark-step --models "$m" --pairs "$p" "$@")
    if (( header )); then sed -n '1,2p' <<<"$out"; header=0; fi
    sed -n '3p' <<<"$out"
  done
done
echo "end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
