"""Summary of soak.sh's rss.tsv: each JVM's resident memory at each epoch's end (the first sample
after the epoch's record appears), the peak, and the growth from epoch 3's end to the last sample.
   python3 soak_summary.py rss.tsv"""
import csv
import sys
from collections import defaultdict

FROM_EPOCH = 3

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by_jvm = defaultdict(list)
for r in rows:
    by_jvm[(r["jvm"], r["pid"])].append((int(r["seconds"]), int(r["epochs_done"]), int(r["rss_mib"])))

for (jvm, pid), samples in sorted(by_jvm.items()):
    at_epoch_end = {}
    for _, epoch, mib in samples:
        at_epoch_end.setdefault(epoch, mib)
    curve = " ".join(f"{e}:{mib}" for e, mib in sorted(at_epoch_end.items()) if e > 0)
    last_s, last_e, last = samples[-1]
    print(f"{jvm} (pid {pid}): {len(samples)} samples over {last_s} s, peak {max(m for _, _, m in samples)} MiB")
    print(f"  MiB at each epoch's end (epoch:MiB): {curve or 'no epoch finished'}")
    if FROM_EPOCH in at_epoch_end and last_e > FROM_EPOCH:
        base = at_epoch_end[FROM_EPOCH]
        print(f"  growth from epoch {FROM_EPOCH}'s end ({base} MiB) to the last sample, {last_e} epochs done ({last} MiB): "
              f"{100.0 * (last - base) / base:+.1f}%")
    else:
        print(f"  growth: not measured (the run ended before epoch {FROM_EPOCH + 1} finished)")
