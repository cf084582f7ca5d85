#!/usr/bin/env bash
# What a corpus's size costs the driver and the executors: synthetic JPEG corpora of each SIZE
# (deploy/bench/MakeJpegs.java) as an image folder, a Parquet table and tar shards (spark-ssl pack),
# each trained 2 epochs with worker shards on a local standalone cluster (2 workers, 1 core each),
# so the driver is a JVM of its own. Prints, per corpus: the driver's planning time (JVM start to
# the first epoch), each epoch's wall time and images/s, and the peak resident memory of the driver
# and of the largest executor (ps, every 2 s).
#
#   deploy/bench/corpus-scale.sh OUT [SIZES (20000,200000)] [-- train options]
#
# LAYOUTS="folder parquet webdataset" (the default) picks which layouts train.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
[[ $# -ge 1 ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
out=$1 sizes=${2:-20000,200000}
shift $(( $# >= 2 ? 2 : 1 ))
[[ ${1:-} == -- ]] && shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
job=$here/deploy/bin/spark-ssl

for n in ${sizes//,/ }; do
  if [[ ! -d $out/folder-$n ]]; then
    java "$here/deploy/bench/MakeJpegs.java" "$n" "$out/folder-$n.tmp" && mv "$out/folder-$n.tmp" "$out/folder-$n"
  fi
  for format in parquet webdataset; do
    if [[ ! -d $out/$format-$n ]]; then
      "$job" pack --corpus "$out/folder-$n" --format $format --out "$out/$format-$n" > "$out/pack-$format-$n.log" 2>&1
    fi
  done
done

state=$out/cluster
master=$("$here/deploy/bin/local-cluster" start --workers 2 --cores 1 --memory 3g --port 7177 --webui-port 8181 --state "$state")
trap '"$here/deploy/bin/local-cluster" stop --state "$state"' EXIT

# peak RSS (MB) of the driver and of the largest executor while $1 runs
sample() {
  local pid=$1 driver=0 executor=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(ps -o rss= -p "$pid" 2>/dev/null || echo 0)
    (( rss > driver )) && driver=$rss
    for e in $(pgrep -f CoarseGrainedExecutorBackend || true); do
      rss=$(ps -o rss= -p "$e" 2>/dev/null || echo 0)
      (( rss > executor )) && executor=$rss
    done
    sleep 2
  done
  echo "$(( driver / 1024 )) $(( executor / 1024 ))"
}

printf '%-10s %7s %10s %9s %9s %9s %9s %10s %12s\n' layout images planning_s epoch1_s img/s_1 epoch2_s img/s_2 driver_MB executor_MB
for n in ${sizes//,/ }; do
  for layout in ${LAYOUTS:-folder parquet webdataset}; do
    run=$out/run-$layout-$n
    rm -rf "$run"
    log=$out/$layout-$n.log
    start=$(date +%s.%N)
    "$job" train --master "$master" --corpus "$out/$layout-$n" --epochs 2 --skip-eval --epoch-data shards --workers 2 \
      --run-dir "$run" "$@" > "$log" 2>&1 &
    rss=$(sample $!)
    wait $! || { echo "train failed: $log" >&2; tail -20 "$log" >&2; exit 1; }
    python3 - "$run/metrics.jsonl" "$log" "$layout" "$n" "$start" $rss <<'EOF'
import datetime, json, re, sys
metrics, log, layout, n, start, driver, executor = sys.argv[1:]
epochs = [json.loads(l) for l in open(metrics)]
# the log's clock (HH:MM:SS) of the line that starts the epochs, against the launch time
first = next(l for l in open(log) if "run directory" in l)
t0 = datetime.datetime.fromtimestamp(float(start))
hh, mm, ss = map(int, re.match(r"(\d\d):(\d\d):(\d\d)", first).groups())
planned = t0.replace(hour=hh, minute=mm, second=ss, microsecond=0)
print(f'{layout:<10} {int(n):>7} {(planned - t0).total_seconds():>10.0f} '
      + ' '.join(f'{e["wall_s"]:>9.1f} {e["images_per_s"]:>9.0f}' for e in epochs)
      + f' {int(driver):>10} {int(executor):>12}')
EOF
  done
done
