#!/usr/bin/env bash
# Soak: a long `spark-ssl train` on a full corpus, every JVM of the run's resident memory sampled every
# 10 s, to show whether native memory stays flat. Prints each JVM's resident memory at every epoch's end
# and its growth from epoch 3's end to the last epoch's end (warm-up, the shape caches and the first
# averaging rounds, is over by epoch 3). Local mode by default; --cluster starts a standalone cluster
# of 2 workers x 1 core (deploy/bin/local-cluster, its own state dir under OUT) and stops it after.
#   deploy/bench/soak.sh OUT_DIR [--cluster] [--epochs N] [--minutes M] [--corpus DIR] [-- extra train options]
# OUT_DIR gets run/ (the run directory), train.log, rss.tsv (seconds, epochs done, JVM, pid, resident
# MiB, and of those the Java heap's: the resident pages of its reserved range, from /proc/PID/smaps;
# resident less heap is the native part, ND4J's arrays, oneDNN's buffers, the JVM's own), gc.tsv (once a
# minute, jstat's committed heap and old-generation occupancy) and summary.txt. Defaults: 30 epochs of /work/fmnist/train, --skip-eval; with --minutes the run is stopped
# after M minutes if it has not finished (its driver, by PID), and the summary covers the epochs done.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
usage="usage: soak.sh OUT_DIR [--cluster] [--epochs N] [--minutes M] [--corpus DIR] [-- train options]"
out="${1:?$usage}"; shift
cluster=0 epochs=30 minutes=0 corpus=/work/fmnist/train
while [ $# -gt 0 ]; do
  case $1 in
    --cluster) cluster=1; shift ;;
    --epochs) epochs=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
extra=("$@")
mkdir -p "$out"
[ ! -e "$out/run" ] || { echo "soak: $out/run exists; choose a new OUT_DIR" >&2; exit 2; }
state="$out/cluster"

master='local[2]'
if [ "$cluster" = 1 ]; then
  master=$("$root/deploy/bin/local-cluster" start --workers 2 --cores 1 --port 7277 --webui-port 8282 --state "$state")
  trap '"$root/deploy/bin/local-cluster" stop --state "$state"' EXIT
fi
echo "$(date -u +%FT%TZ) start, master $master, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" | tee "$out/summary.txt"

"$root/deploy/bin/spark-ssl" train --master "$master" --corpus "$corpus" --epochs "$epochs" --skip-eval \
  --run-dir "$out/run" "${extra[@]}" > "$out/train.log" 2>&1 &
driver=$!

# The run's JVMs: the driver, and on the cluster the executors whose working directory is under the state dir.
jvms() {
  echo "driver $driver"
  [ "$cluster" = 1 ] || return 0
  local p cwd
  for p in $(pgrep -f CoarseGrainedExecutorBackend || true); do
    cwd=$(readlink "/proc/$p/cwd" 2>/dev/null || true)
    # an executor runs in <state>/work-N/<app>/<executor id>
    case $cwd in "$(cd "$state" && pwd)"/*) echo "executor-$(basename "$(dirname "$(dirname "$cwd")")") $p" ;; esac
  done
}
epochs_done() { grep -c '"epoch"' "$out/run/metrics.jsonl" 2>/dev/null || echo 0; }

t0=$(date +%s)
# The heap's reserved address range, once per JVM (jcmd GC.heap_info), then its resident MiB, or -1.
declare -A range
heap() {
  [ -n "${range[$1]:-}" ] || range[$1]=$(jcmd "$1" GC.heap_info 2>/dev/null | grep -o '\[0x[0-9a-f]*, 0x[0-9a-f]*' | head -1 | tr -d '[,')
  [ -n "${range[$1]}" ] || { echo -1; return; }
  python3 - "$1" ${range[$1]} <<'PY'
import sys
pid, lo, hi = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16)
kib, inside = 0, False
for line in open(f"/proc/{pid}/smaps"):
    if "-" in line.split(" ", 1)[0] and not line.startswith(("Rss", "Pss")):
        start, end = (int(a, 16) for a in line.split(" ", 1)[0].split("-"))
        inside = lo <= start and end <= hi
    elif inside and line.startswith("Rss:"):
        kib += int(line.split()[1])
print(kib // 1024)
PY
}
# The heap as the collector sees it (jstat, a JVM of its own, so once a minute): committed, and the
# old generation's occupancy, which holds what outlives young collections (and garbage until a mixed one).
gc() {
  jstat -gc "$1" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR == 2 { printf "%d\t%d", ($c["S0C"] + $c["S1C"] + $c["EC"] + $c["OC"]) / 1024, $c["OU"] / 1024 }'
}
printf 'seconds\tepochs_done\tjvm\tpid\trss_mib\theap_mib\n' > "$out/rss.tsv"
printf 'seconds\tepochs_done\tjvm\tpid\theap_committed_mib\told_used_mib\n' > "$out/gc.tsv"
tick=0
while kill -0 "$driver" 2>/dev/null; do
  e=$(epochs_done)
  while read -r name pid; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    h=$(heap "$pid" || echo -1)
    [ -z "$kb" ] || printf '%d\t%d\t%s\t%d\t%d\t%d\n' $(( $(date +%s) - t0 )) "$e" "$name" "$pid" $(( kb / 1024 )) "$h" >> "$out/rss.tsv"
    if (( tick % 6 == 0 )); then
      g=$(gc "$pid" || true)
      [ -z "$g" ] || printf '%d\t%d\t%s\t%d\t%s\n' $(( $(date +%s) - t0 )) "$e" "$name" "$pid" "$g" >> "$out/gc.tsv"
    fi
  done < <(jvms)
  tick=$(( tick + 1 ))
  if [ "$minutes" -gt 0 ] && [ $(( $(date +%s) - t0 )) -ge $(( minutes * 60 )) ]; then
    echo "$(date -u +%FT%TZ) $minutes minutes are up: stopping the run after $e epochs" | tee -a "$out/summary.txt"
    kill "$driver"
    break
  fi
  sleep 10
done
rc=0; wait "$driver" || rc=$?
echo "$(date -u +%FT%TZ) end, exit $rc, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.txt"
python3 "$root/deploy/bench/soak_summary.py" "$out/rss.tsv" "$out/gc.tsv" | tee -a "$out/summary.txt"
exit "$rc"
