"""PyTorch twin of spark-ssl's SSL network, timed per training step; the peer for `spark-ssl benchmark-step`.

Run with Debian's torch: /usr/bin/python3 deploy/bench/torch_step.py --model small-cnn --pairs 64 ...
Prints one JSON object: {"model", "pairs", "threads", "median_s", "pairs_per_s", "params", "peak_rss_kib", "torch"}.
Same layers, init-independent timing, same loss (NT-Xent, T=0.2), Adam 1e-3, float32, NCHW.
resnet18 is torchvision's with the CIFAR stem (3x3 stride-1 conv1, no max-pool) and no fc.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torchvision

# the same NT-Xent that makes the loss layer's test fixture
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model", "src", "test", "python"))
from losses_fixture import nt_xent  # noqa: E402


def encoder(model, channels, widths=(32, 64, 128)):
    if model == "resnet18":
        net = torchvision.models.resnet18()
        net.conv1 = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        net.maxpool = nn.Identity()
        net.fc = nn.Identity()
        return net, 512
    layers, c = [], channels
    for w, s in zip(widths, (1, 2, 2)):
        if model == "conv-bn-relu":
            layers += [nn.Conv2d(c, w, 3, s, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
        else:
            layers += [nn.Conv2d(c, w, 3, s, 1), nn.ReLU()]
        c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), c


def peak_rss_kib():
    """VmHWM, this process's own peak: ru_maxrss would start from the JVM's peak when the JVM spawned us."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["small-cnn", "conv-bn-relu", "resnet18"], default="small-cnn")
    p.add_argument("--pairs", type=int, default=64)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--steps", type=int, default=30)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    enc, d = encoder(a.model, a.channels)
    net = nn.Sequential(enc, nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, 64))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(2 * a.pairs, a.channels, a.size, a.size)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        z = net(x)
        loss = nt_xent(z[: a.pairs], z[a.pairs:], 0.2, False)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({"model": a.model, "pairs": a.pairs, "threads": a.threads, "median_s": med,
                      "pairs_per_s": a.pairs / med,
                      "params": sum(p.numel() for p in net.parameters()),
                      "peak_rss_kib": peak_rss_kib(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
