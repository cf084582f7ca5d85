#!/usr/bin/env bash
# S3 requests per epoch, by corpus layout and --epoch-data, against a real S3-compatible server
# (s3proxy, in memory, on 127.0.0.1): IMAGES images of a labelled image folder put on S3 as a folder,
# packed by `spark-ssl pack` into 4 Parquet files and into 4 tar shards, each trained for 2 epochs in
# local mode; prints each epoch's LIST, HEAD and GET requests and bytes read from storage.
#
#   deploy/bench/s3-requests.sh FOLDER OUT [IMAGES (20000)] [-- train options]
#
# FOLDER: class folders of images (prepare-fashion-mnist's train/). Needs the aws CLI and the build
# (mvn -B package -DskipTests: deploy/target/s3proxy/s3proxy.jar and the job's jar).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
[[ $# -ge 2 ]] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
folder=$1 out=$2 images=${3:-20000}
shift $(( $# >= 3 ? 3 : 2 ))
[[ ${1:-} == -- ]] && shift
command -v aws >/dev/null || { echo "the aws CLI is needed to put the folder on S3" >&2; exit 2; }
jar=$here/deploy/target/s3proxy/s3proxy.jar
[[ -f $jar ]] || { echo "no $jar: build first (mvn -B package -DskipTests)" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

# the first IMAGES/classes images of each class, in name order
classes=$(find "$folder" -mindepth 1 -maxdepth 1 -type d | wc -l)
per=$(( images / classes ))
rm -rf "$out/corpus"
for c in $(find "$folder" -mindepth 1 -maxdepth 1 -type d | sort); do
  mkdir -p "$out/corpus/$(basename "$c")"
  find "$c" -maxdepth 1 -type f | sort | sed -n "1,${per}p" | xargs cp -t "$out/corpus/$(basename "$c")"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=bench-$RANDOM AWS_SECRET_ACCESS_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export AWS_DEFAULT_REGION=us-east-1
# newer AWS CLIs checksum every upload with headers s3proxy refuses; ask for checksums only where S3 requires them
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
cat > "$out/s3proxy.properties" <<EOF
s3proxy.endpoint=$endpoint
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=transient
jclouds.identity=unused
jclouds.credential=unused
EOF
java -Xmx1g -jar "$jar" --properties "$out/s3proxy.properties" > "$out/s3proxy.log" 2>&1 &
proxy=$!
trap 'kill $proxy 2>/dev/null; rm -f "$out/s3proxy.properties"' EXIT
for _ in $(seq 240); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
s3() { aws --endpoint-url "$endpoint" s3 "$@"; }
s3 mb s3://bench >/dev/null
s3 cp --recursive --quiet "$out/corpus" s3://bench/folder

# the key pair reaches S3A from the environment, never a command line or config.json
conf=(--conf spark.hadoop.fs.s3a.endpoint=$endpoint --conf spark.hadoop.fs.s3a.path.style.access=true
  --conf spark.hadoop.fs.s3a.connection.ssl.enabled=false
  --conf spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider)
job=$here/deploy/bin/spark-ssl
shard=$(( (images + 3) / 4 ))
"$job" pack --corpus s3a://bench/folder --format parquet --out s3a://bench/parquet --shard-size $shard "${conf[@]}" > "$out/pack-parquet.log" 2>&1
"$job" pack --corpus s3a://bench/folder --format webdataset --out s3a://bench/tar --shard-size $shard "${conf[@]}" > "$out/pack-tar.log" 2>&1

printf '%-8s %-8s %5s %6s %6s %6s %12s %9s\n' layout data epoch LIST HEAD GET storage_MB images/s
for layout in folder parquet tar; do
  for data in shuffle shards; do
    run=$out/run-$layout-$data
    rm -rf "$run"
    "$job" train --master 'local[2]' --corpus s3a://bench/$layout --epochs 2 --skip-eval --epoch-data $data \
      --run-dir "$run" "${conf[@]}" "$@" > "$out/$layout-$data.log" 2>&1 \
      || { echo "train failed: $out/$layout-$data.log" >&2; tail -20 "$out/$layout-$data.log" >&2; exit 1; }
    python3 - "$run/metrics.jsonl" "$layout" "$data" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    q = r["s3_requests"]
    print(f'{sys.argv[2]:<8} {sys.argv[3]:<8} {r["epoch"]:>5} {q["list"]:>6} {q["head"]:>6} {q["get"]:>6} '
          f'{r["data_bytes"]["storage_read"] / 1e6:>12.1f} {r["images_per_s"]:>9.0f}')
EOF
  done
done
