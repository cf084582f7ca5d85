"""Summary of soak.sh's rss.tsv, per JVM: resident memory at each epoch's end (the first sample after
the epoch's record appears), the peak, and the growth from epoch 3's end to the last epoch's end (a
run stopped by --minutes is sampled while it shuts down, which frees memory), of the resident memory and of its native part (resident less the Java heap's resident pages); with gc.tsv,
also the committed heap and the old generation's occupancy at each epoch's end.
   python3 soak_summary.py rss.tsv [gc.tsv]"""
import csv
import sys
from collections import defaultdict

FROM_EPOCH = 3

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by_jvm = defaultdict(list)
for r in rows:
    by_jvm[(r["jvm"], r["pid"])].append((int(r["seconds"]), int(r["epochs_done"]), int(r["rss_mib"]), int(r["heap_mib"])))


def growth(what, at_epoch_end):
    last_epoch = max(at_epoch_end, default=0)
    if FROM_EPOCH not in at_epoch_end or last_epoch <= FROM_EPOCH:
        return f"  {what}: growth not measured (the run ended before epoch {FROM_EPOCH + 1} finished)"
    base, last = at_epoch_end[FROM_EPOCH], at_epoch_end[last_epoch]
    return (f"  {what}: epoch {FROM_EPOCH}'s end {base} MiB, epoch {last_epoch}'s end {last} MiB: "
            f"{100.0 * (last - base) / base:+.1f}%")


gc_at = defaultdict(dict)
if len(sys.argv) > 2:
    for r in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
        gc_at[(r["jvm"], r["pid"])].setdefault(int(r["epochs_done"]), (r["heap_committed_mib"], r["old_used_mib"]))


for (jvm, pid), samples in sorted(by_jvm.items()):
    rss_at, native_at = {}, {}
    for _, epoch, rss, heap in samples:
        rss_at.setdefault(epoch, rss)
        if heap >= 0:
            native_at.setdefault(epoch, rss - heap)
    last_s = samples[-1][0]
    print(f"{jvm} (pid {pid}): {len(samples)} samples over {last_s} s, peak resident {max(s[2] for s in samples)} MiB")
    print("  resident MiB at each epoch's end (epoch:MiB): "
          + (" ".join(f"{e}:{m}" for e, m in sorted(rss_at.items()) if e > 0) or "no epoch finished"))
    print("  native MiB (resident less the heap's resident pages) at each epoch's end: "
          + (" ".join(f"{e}:{m}" for e, m in sorted(native_at.items()) if e > 0) or "none"))
    print(growth("resident", rss_at))
    if native_at:
        print(growth("native", native_at))
    if gc_at[(jvm, pid)]:
        print("  heap committed / old generation in use, MiB, first sample after each epoch's end: "
              + " ".join(f"{e}:{c}/{o}" for e, (c, o) in sorted(gc_at[(jvm, pid)].items()) if e > 0))
