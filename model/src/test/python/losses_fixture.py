"""Reference values and gradients of every method's loss, computed with PyTorch, for SslLossesTest.

Run with Debian's torch:  /usr/bin/python3 model/src/test/python/losses_fixture.py
It rewrites model/src/test/resources/fixtures/losses.json. Each loss is written the way its paper's
reference code writes it (SimCLR and DCL: cross-entropy over masked logits; BYOL: 2 - 2 cos;
SimSiam: negative cosine with detach; VICReg: the official repository's loss; Barlow Twins: the
official repository's BatchNorm1d(affine=False) cross-correlation; DINO: the official DINOLoss
with the teacher's softmax((t - c) / tau_t) as input).
"""
import json
import os

import torch
import torch.nn.functional as F


def nt_xent(z1, z2, tau, decoupled):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / tau
    logits.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    if not decoupled:
        return F.cross_entropy(logits, targets)
    # DCL (Yeh et al. 2022): the positive leaves the denominator
    positive = logits[torch.arange(2 * n), targets]
    negatives = logits.clone()
    negatives[torch.arange(2 * n), targets] = float("-inf")
    return (-positive + torch.logsumexp(negatives, dim=1)).mean()


def byol(p1, p2, t1, t2):
    def regression(p, t):
        return 2 - 2 * F.cosine_similarity(p, t.detach(), dim=-1).mean()
    return regression(p1, t2) + regression(p2, t1)


def simsiam(p1, p2, z1, z2):
    def d(p, z):
        return -F.cosine_similarity(p, z.detach(), dim=-1).mean()
    return d(p1, z2) / 2 + d(p2, z1) / 2


def off_diagonal(x):
    n, m = x.shape
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg(x, y, sim=25.0, std=25.0, cov=1.0):
    n, d = x.shape
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)
    cov_loss = off_diagonal(cov_x).pow_(2).sum().div(d) + off_diagonal(cov_y).pow_(2).sum().div(d)
    return sim * repr_loss + std * std_loss + cov * cov_loss


def barlow(z1, z2, lambd):
    n, d = z1.shape
    bn = torch.nn.BatchNorm1d(d, affine=False).double()
    c = bn(z1).T @ bn(z2) / n
    on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
    off_diag = off_diagonal(c).pow_(2).sum()
    return on_diag + lambd * off_diag


def dino(student, teacher_probs, student_temp):
    total, pairs = 0.0, 0
    for iq, q in enumerate(teacher_probs):
        for v, s in enumerate(student):
            if v == iq:
                continue
            total = total + torch.sum(-q * F.log_softmax(s / student_temp, dim=-1), dim=-1).mean()
            pairs += 1
    return total / pairs


def teacher_probs(t, center, teacher_temp):
    return F.softmax((t - center) / teacher_temp, dim=-1)


def rand(g, n, d, scale=1.0):
    return torch.randn(n, d, dtype=torch.float64, generator=g) * scale


def case(name, params, inputs, differentiable, fn, detached=()):
    # a stop-gradient input is listed as differentiable: its gradient must come out zero
    for k in differentiable:
        inputs[k].requires_grad_(True)
    loss = fn(**{k: v for k, v in inputs.items()}, **params)
    grads = torch.autograd.grad(loss, [inputs[k] for k in differentiable], allow_unused=True)
    return {"loss_name": name, "params": params,
            "inputs": {k: v.detach().tolist() for k, v in inputs.items()},
            "loss": loss.item(), "detached": list(detached),
            "grads": {k: (torch.zeros_like(inputs[k]) if g is None else g).tolist() for k, g in zip(differentiable, grads)}}


def main():
    g = torch.Generator().manual_seed(20261129)
    cases = []
    # large projections at a low temperature: the exponentials' range
    z1 = rand(g, 16, 32, 3.0)
    for decoupled in (False, True):
        cases.append(case("ntxent", {"tau": 0.07, "decoupled": decoupled},
                          {"z1": z1.clone(), "z2": z1 + 1.5 * rand(g, 16, 32)}, ["z1", "z2"], nt_xent))
    for n, d in [(6, 5), (16, 12)]:
        z1 = rand(g, n, d)
        z2 = z1 + 0.5 * rand(g, n, d)
        for decoupled in (False, True):
            cases.append(case("ntxent", {"tau": 0.2, "decoupled": decoupled}, {"z1": z1.clone(), "z2": z2.clone()},
                              ["z1", "z2"], nt_xent))
        cases.append(case("vicreg", {}, {"x": z1.clone() * 0.7, "y": z2.clone() * 0.7}, ["x", "y"], vicreg))
        cases.append(case("barlow", {"lambd": 0.005}, {"z1": z1.clone(), "z2": z2.clone()}, ["z1", "z2"], barlow))
        p1, p2 = rand(g, n, d), rand(g, n, d)
        cases.append(case("byol", {}, {"p1": p1.clone(), "p2": p2.clone(), "t1": z1.clone(), "t2": z2.clone()},
                          ["p1", "p2"], byol))
        cases.append(case("simsiam", {}, {"p1": p1.clone(), "p2": p2.clone(), "z1": z1.clone(), "z2": z2.clone()},
                          ["p1", "p2", "z1", "z2"], simsiam, detached=["z1", "z2"]))
        # DINO: 2 global + 2 local student views, teacher probabilities from centered, sharpened logits
        k = d
        center = rand(g, 1, k, 0.1)
        t = [rand(g, n, k), rand(g, n, k)]
        q = [teacher_probs(x, center, 0.04) for x in t]
        s = {f"s{v}": rand(g, n, k) for v in range(4)}

        def dino_case(s0, s1, s2, s3, q0, q1, student_temp):
            return dino([s0, s1, s2, s3], [q0, q1], student_temp)
        c = case("dino", {"student_temp": 0.1}, {**s, "q0": q[0].detach(), "q1": q[1].detach()},
                 list(s.keys()), dino_case)
        c["teacher"] = {"t0": t[0].tolist(), "t1": t[1].tolist(), "center": center.tolist(), "teacher_temp": 0.04,
                        "center_momentum": 0.9,
                        "next_center": (center * 0.9 + torch.cat(t).mean(dim=0, keepdim=True) * 0.1).tolist()}
        cases.append(c)
    out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "losses.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print("wrote", len(cases), "cases to", os.path.normpath(out))


if __name__ == "__main__":
    main()
