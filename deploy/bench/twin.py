"""PyTorch twin of `spark-ssl train`: the same recipe in one process, the reference the job is judged by.

Run with Debian's torch: /usr/bin/python3 deploy/bench/twin.py --corpus DIR --eval-train DIR --eval-test DIR ...
Same encoder (3x3 conv-BN-ReLU blocks of `--widths`, default the `--backbone`'s: small-cnn 32/64/128, small-cnn-deep
32/64/128/256/256, strides 1 then 2, global average pooling), the
method's heads as the job builds them (projector Linear [BN] ReLU Linear with He-normal init and zero
biases, DL4J's WeightInit.RELU; predictor Linear BN ReLU Linear with PyTorch's default init, as the
job's PredictorLayer), the method's loss (`--method simclr|byol|vicreg`; BYOL's EMA teacher follows
the student after every step with the momentum rising from --teacher-momentum to 1 on a cosine over
the run, its targets taken in training mode), the `small` view preset, optimiser, schedule, batch,
epochs and k-NN protocol (whole image, L2-normalised encoder output, cosine, k=20, weights exp(sim/T)). Batches come from a shuffled DataLoader with
drop_last=True and `--loader-workers` augmentation processes. Prints one JSON line per epoch:
{"epoch", "loss", "images", "wall_s", "images_per_s", "lr", "batch_size", "threads", "loader_workers", "knn_top1"?,
"embedding_rankme" (last epoch)};
with --skip-eval neither k-NN nor RankMe runs and --eval-train/--eval-test may be left out (for timing).
Optimisers as the job's: weight decay and LARS adaptation skip biases and batch-norm parameters;
sgd and lars use Nesterov momentum (DL4J's Nesterovs).

`--workers W --averaging-frequency K` (W > 1) is ideal synchronous parameter averaging, the reference
the job's averaging is judged by: W model copies, each with its own optimiser; every epoch a seeded
permutation of the corpus deals position p to global step p // (W*B) on worker (p mod W*B) // B, as
the job's epoch plan does; each copy runs K steps of its own batches, then parameters, batch-norm
buffers, optimiser state (Adam's moments, momentum buffers) and BYOL's teacher are averaged with equal
weights and every copy starts the next round from the average. `--outer-optimizer nesterov` applies
the round's averaged change through Nesterov momentum on the driver's copy (SlowMo / DiLoCo):
buf = mu*buf + delta; params = start + outer_lr*(mu*buf + delta), delta the averaged change.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model", "src", "test", "python"))
from losses_fixture import byol, nt_xent, vicreg  # noqa: E402

# projector hidden, projection size, projector batch norm, predictor hidden: the job's Heads per method
HEADS = {"simclr": (128, 64, False, 0), "byol": (256, 64, True, 256), "vicreg": (256, 256, True, 0)}

IMAGE = (".png", ".jpg", ".jpeg")

# the job's --backbone small-cnn and small-cnn-deep: their --conv-widths unless told otherwise
BACKBONE_WIDTHS = {"small-cnn": [32, 64, 128], "small-cnn-deep": [32, 64, 128, 256, 256]}


def files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in names if n.lower().endswith(IMAGE)]
    return sorted(out)


def small_preset(size, a):
    """spark-ssl's `small` preset: crop 0.2-1, flip, jitter 0.4/0.4/0.4/0.1 p 0.8, grey 0.2, 3 px blur p 0.5."""
    return T.Compose([
        T.RandomResizedCrop(size, scale=(a.crop_min, 1.0)),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(0.2),
        T.RandomApply([T.GaussianBlur(3, (0.1, 2.0))], p=0.5),
        T.ToTensor(),
    ])


class Views(torch.utils.data.Dataset):
    def __init__(self, paths, mode, transform):
        self.paths, self.mode, self.transform = paths, mode, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        img = Image.open(self.paths[i]).convert(self.mode)
        return self.transform(img), self.transform(img)


class Net(nn.Module):
    def __init__(self, channels, method, widths=(32, 64, 128)):
        super().__init__()
        hidden, out, batch_norm, predictor = HEADS[method]
        layers, c = [], channels
        for i, w in enumerate(widths):
            s = 1 if i == 0 else 2
            layers += [nn.Conv2d(c, w, 3, s, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
            c = w
        self.encoder = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.projector = nn.Sequential(nn.Linear(c, hidden), *([nn.BatchNorm1d(hidden)] if batch_norm else []),
                                       nn.ReLU(), nn.Linear(hidden, out))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        self.predictor = nn.Sequential(nn.Linear(out, predictor), nn.BatchNorm1d(predictor), nn.ReLU(),
                                       nn.Linear(predictor, out)) if predictor else None

    def forward(self, x):
        return self.projector(self.encoder(x))


class Teacher:
    """BYOL's target network: encoder and projector following the student by EMA after every step."""

    def __init__(self, net, base, total):
        self.net = copy.deepcopy(net)
        self.net.predictor = None
        self.net.requires_grad_(False)
        self.base, self.total = base, total

    @torch.no_grad()
    def follow(self, student, step):
        tau = 1.0 if step >= self.total else 1 - (1 - self.base) * (math.cos(math.pi * step / self.total) + 1) / 2
        own = student.state_dict()
        for name, t in self.net.state_dict().items():
            if t.dtype.is_floating_point:
                t.mul_(tau).add_(own[name], alpha=1 - tau)
        return tau


def loss_of(a, net, teacher, v1, v2):
    z = net(torch.cat([v1, v2]))
    z1, z2 = z[: len(v1)], z[len(v1):]
    if a.method == "simclr":
        return nt_xent(z1, z2, a.temperature, False)
    if a.method == "vicreg":
        return vicreg(z1, z2)
    p = net.predictor(z)
    with torch.no_grad():
        t = teacher.net(torch.cat([v1, v2]))
    return byol(p[: len(v1)], p[len(v1):], t[: len(v1)], t[len(v1):])


class Lars(torch.optim.Optimizer):
    """The job's LARS: g <- eta*|w|/(|g| + wd*|w|) * (g + wd*w) on adapted tensors, then Nesterov momentum SGD."""

    def __init__(self, groups, lr, momentum, eta):
        super().__init__(groups, dict(lr=lr, momentum=momentum, eta=eta, weight_decay=0.0, lars=True))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if g["lars"]:
                    wn, gn = p.norm(), d.norm()
                    wd = g["weight_decay"]
                    d = d + wd * p
                    if wn > 0 and gn > 0:
                        d = d * (g["eta"] * wn / (gn + wd * wn))
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(g["momentum"]).add_(d)
                p.add_(d + g["momentum"] * buf, alpha=-g["lr"])


def optimizer(net, a):
    decay = [p for n, p in net.named_parameters() if p.dim() > 1]
    rest = [p for n, p in net.named_parameters() if p.dim() <= 1]
    if a.optimizer == "lars":
        return Lars([dict(params=decay, weight_decay=a.weight_decay, lars=True), dict(params=rest, lars=False)],
                    a.learning_rate, a.momentum, a.lars_eta)
    groups = [dict(params=decay, weight_decay=a.weight_decay), dict(params=rest, weight_decay=0.0)]
    if a.optimizer == "adam":
        return torch.optim.Adam(groups, lr=a.learning_rate)
    if a.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=a.learning_rate)
    return torch.optim.SGD(groups, lr=a.learning_rate, momentum=a.momentum, nesterov=True)


def lr_at(a, step, warmup, total):
    if a.lr_schedule == "constant":
        return a.learning_rate
    if step < warmup:
        return a.learning_rate * (step + 1) / warmup
    return a.learning_rate * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total - warmup))))


@torch.no_grad()
def embed(net, paths, mode, size, normalise=True):
    net.eval()
    to = T.Compose([T.Resize((size, size)), T.ToTensor()])
    out = []
    for i in range(0, len(paths), 512):
        x = torch.stack([to(Image.open(p).convert(mode)) for p in paths[i:i + 512]])
        e = net.encoder(x)
        out.append(F.normalize(e, dim=1) if normalise else e)
    net.train()
    return torch.cat(out)


@torch.no_grad()
def rankme(net, a, mode, count=256):
    """RankMe (Garrido et al. 2023) of the encoder's raw outputs on a fixed random sample of the corpus."""
    paths = files(a.corpus)
    pick = torch.randperm(len(paths), generator=torch.Generator().manual_seed(a.seed))[:count]
    sigma = torch.linalg.svdvals(embed(net, [paths[i] for i in pick], mode, a.image_size, normalise=False).double())
    p = sigma / sigma.sum() + 1e-7
    return math.exp(-(p * p.log()).sum().item())


def knn_top1(net, a, mode):
    bank, queries = files(a.eval_train), files(a.eval_test)
    label = lambda p: os.path.basename(os.path.dirname(p))  # noqa: E731
    classes = sorted({label(p) for p in bank})
    yb = torch.tensor([classes.index(label(p)) for p in bank])
    yq = torch.tensor([classes.index(label(p)) if label(p) in classes else -1 for p in queries])
    b, q = embed(net, bank, mode, a.image_size), embed(net, queries, mode, a.image_size)
    correct = 0
    for i in range(0, len(q), 512):
        sim, idx = (q[i:i + 512] @ b.t()).topk(min(a.knn_k, len(bank)), dim=1)
        votes = torch.zeros(sim.shape[0], len(classes)).scatter_add_(1, yb[idx], (sim / a.knn_temperature).exp())
        correct += (votes.argmax(1) == yq[i:i + 512]).sum().item()
    return correct / len(q)


class Copy:
    """One worker's model, optimiser and (BYOL) teacher."""

    def __init__(self, net, a, total):
        self.net = net
        self.opt = optimizer(net, a)
        self.teacher = Teacher(net, a.teacher_momentum, total) if a.method == "byol" else None


@torch.no_grad()
def mean_into(tensors):
    """Replaces every tensor of the list by the list's mean (floating-point tensors only)."""
    if tensors and torch.is_tensor(tensors[0]) and tensors[0].dtype.is_floating_point:
        m = torch.stack(tensors).mean(0)
        for t in tensors:
            t.copy_(m)


@torch.no_grad()
def average(copies):
    """Ideal parameter averaging: parameters, BN buffers, optimiser state and teachers, equal weights."""
    for tensors in zip(*(c.net.state_dict().values() for c in copies)):
        mean_into(list(tensors))
    if copies[0].teacher:
        for tensors in zip(*(c.teacher.net.state_dict().values() for c in copies)):
            mean_into(list(tensors))
    params = [list(c.net.parameters()) for c in copies]
    for i in range(len(params[0])):
        states = [c.opt.state[ps[i]] for c, ps in zip(copies, params)]
        for k in states[0]:
            mean_into([s[k] for s in states])


class OuterNesterov:
    """SlowMo / DiLoCo: the round's averaged change through Nesterov momentum, applied from the round's start."""

    def __init__(self, net, lr, momentum):
        self.lr, self.momentum = lr, momentum
        self.start = [p.detach().clone() for p in net.parameters()]
        self.buf = [torch.zeros_like(p) for p in self.start]

    @torch.no_grad()
    def step(self, copies):
        for i, (start, ps) in enumerate(zip(self.start, zip(*(c.net.parameters() for c in copies)))):
            delta = ps[0] - start
            self.buf[i].mul_(self.momentum).add_(delta)
            start.add_(self.lr * (delta + self.momentum * self.buf[i]))
            for p in ps:
                p.copy_(start)


def epoch_batches(n, a, epoch):
    """The job's epoch plan: a seeded permutation, position p at step p // (W*B) on worker (p mod W*B) // B;
    yields (worker, global step within the epoch, indices) round by round, each worker's steps in order."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(a.seed * 1000003 + epoch)).tolist()
    wb = a.workers * a.batch_size
    steps = n // wb
    for r in range(0, steps, a.averaging_frequency):
        for w in range(a.workers):
            for t in range(r, min(steps, r + a.averaging_frequency)):
                yield w, t, perm[t * wb + w * a.batch_size:t * wb + (w + 1) * a.batch_size]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", required=True)
    p.add_argument("--eval-train")
    p.add_argument("--eval-test")
    p.add_argument("--skip-eval", action="store_true", help="no k-NN and no RankMe: training only")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--optimizer", choices=["adam", "adamw", "sgd", "lars"], default="adam")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--lars-eta", type=float, default=0.02)
    p.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant")
    p.add_argument("--warmup-epochs", type=float, default=0.0)
    p.add_argument("--method", choices=sorted(HEADS), default="simclr")
    p.add_argument("--temperature", type=float, default=0.2)
    p.add_argument("--teacher-momentum", type=float, default=0.99)
    p.add_argument("--crop-min", type=float, default=0.2)
    p.add_argument("--image-size", type=int, default=28)
    p.add_argument("--channels", type=int, default=1, choices=[1, 3])
    p.add_argument("--backbone", choices=sorted(BACKBONE_WIDTHS), default="small-cnn",
                   help="the job's small CNNs: the conv widths built unless --widths says otherwise")
    p.add_argument("--widths", help="the encoder's conv widths, as the job's --conv-widths (default: the backbone's)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--knn-k", type=int, default=20)
    p.add_argument("--knn-temperature", type=float, default=0.07)
    p.add_argument("--eval-every", type=int, default=1, help="k-NN every N epochs (0: last only)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--loader-workers", type=int, default=1)
    p.add_argument("--workers", type=int, default=1, help="model copies averaged every --averaging-frequency steps")
    p.add_argument("--averaging-frequency", type=int, default=4)
    p.add_argument("--outer-optimizer", choices=["average", "nesterov"], default="average")
    p.add_argument("--outer-lr", type=float, default=0.7)
    p.add_argument("--outer-momentum", type=float, default=0.9)
    a = p.parse_args()
    if a.workers < 1 or a.averaging_frequency < 1:
        p.error("--workers and --averaging-frequency must be >= 1")
    if not a.skip_eval and not (a.eval_train and a.eval_test):
        p.error("--eval-train and --eval-test are required unless --skip-eval")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    mode = "L" if a.channels == 1 else "RGB"
    data = Views(files(a.corpus), mode, small_preset(a.image_size, a))
    if len(data) < a.workers * a.batch_size:
        p.error(f"the corpus has {len(data)} images, fewer than one global batch ({a.workers} x {a.batch_size})")
    widths = [int(w) for w in a.widths.split(",")] if a.widths else BACKBONE_WIDTHS[a.backbone]
    net = Net(a.channels, a.method, widths)
    steps_per_epoch = len(data) // (a.workers * a.batch_size)
    total = a.epochs * steps_per_epoch
    copies = [Copy(net if w == 0 else copy.deepcopy(net), a, total) for w in range(a.workers)]
    outer = OuterNesterov(net, a.outer_lr, a.outer_momentum) if a.outer_optimizer == "nesterov" else None
    warmup = min(total - 1, round(a.warmup_epochs * steps_per_epoch))
    for epoch in range(1, a.epochs + 1):
        plan = list(epoch_batches(len(data), a, epoch))
        loader = torch.utils.data.DataLoader(data, batch_sampler=[b for _, _, b in plan], num_workers=a.loader_workers)
        start, loss_sum, images, last_worker = time.perf_counter(), 0.0, 0, -1
        for (w, t, _), (v1, v2) in zip(plan, loader):
            if a.workers > 1 and w < last_worker:
                average(copies)
                if outer:
                    outer.step(copies)
            last_worker = w
            c = copies[w]
            step = (epoch - 1) * steps_per_epoch + t
            lr = lr_at(a, step, warmup, total)
            for g in c.opt.param_groups:
                g["lr"] = lr
            loss = loss_of(a, c.net, c.teacher, v1, v2)
            c.opt.zero_grad()
            loss.backward()
            c.opt.step()
            if c.teacher:
                c.teacher.follow(c.net, step)
            loss_sum += loss.item() * len(v1)
            images += len(v1)
        if a.workers > 1:
            average(copies)
            if outer:
                outer.step(copies)
        wall = time.perf_counter() - start
        rec = {"epoch": epoch, "loss": loss_sum / images, "images": images, "wall_s": wall,
               "images_per_s": images / wall, "lr": lr, "batch_size": a.batch_size, "threads": torch.get_num_threads(),
               "loader_workers": a.loader_workers, "workers": a.workers,
               "averaging_frequency": a.averaging_frequency, "outer_optimizer": a.outer_optimizer}
        if not a.skip_eval and (epoch == a.epochs or (a.eval_every > 0 and epoch % a.eval_every == 0)):
            rec["knn_top1"] = knn_top1(net, a, mode)
        if not a.skip_eval and epoch == a.epochs:
            rec["embedding_rankme"] = rankme(net, a, mode)
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
