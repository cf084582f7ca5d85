#!/usr/bin/env bash
# Spark's GPU discovery script for spark-ssl (standalone workers: spark.worker.resource.gpu.discoveryScript;
# YARN and Kubernetes executors: spark.executor.resource.gpu.discoveryScript). Prints, as Spark expects,
#   {"name": "gpu", "addresses": ["0", "1", ...]}
# The addresses are CUDA device ordinals: the job makes each task's first assigned address ND4J's
# device for that task. The GPUs are those nvidia-smi lists or, when CUDA_VISIBLE_DEVICES is set (a
# container or a scheduler isolating GPUs), the ones it leaves visible, which CUDA numbers 0, 1, ...
set -euo pipefail

if [[ -n ${CUDA_VISIBLE_DEVICES+set} ]]; then
  # CUDA stops at the first entry that names no device; "-1" and "" are the usual ways to hide them all
  count=0
  IFS=, read -r -a visible <<< "$CUDA_VISIBLE_DEVICES"
  for entry in "${visible[@]}"; do
    [[ -z $entry || $entry == -* ]] && break
    count=$((count + 1))
  done
else
  if ! command -v nvidia-smi > /dev/null; then
    echo "getGpusResources.sh: nvidia-smi not found: this machine has no NVIDIA driver (or it is not on PATH)" >&2
    exit 1
  fi
  if ! listing=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1); then
    echo "getGpusResources.sh: nvidia-smi failed: $listing" >&2
    exit 1
  fi
  count=$(grep -c '[0-9]' <<< "$listing" || true)
fi

addresses=""
for ((i = 0; i < count; i++)); do
  addresses+="${addresses:+, }\"$i\""
done
echo "{\"name\": \"gpu\", \"addresses\": [$addresses]}"
