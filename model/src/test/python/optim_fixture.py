"""Writes ../resources/fixtures/optimizers.json: five steps of each spark-ssl optimiser in PyTorch.

Run with Debian's torch: /usr/bin/python3 model/src/test/python/optim_fixture.py
A linear layer (weight and bias) under mean squared error, float64, fixed data and start weights;
weight decay and LARS adaptation apply to the weight only, as the job applies them (never to biases
or batch norm). lars is solo-learn's LARS (trust ratio eta*|w|/(|g| + wd*|w|) applied to g + wd*w)
followed by Nesterov momentum SGD; sgd is SGD(nesterov=True) with L2 weight decay; adam is
Adam(weight_decay) (L2); adamw is AdamW. The learning rate is constant: DL4J's Nesterov momentum keeps
the learning rate inside its velocity, so it matches PyTorch's only at a constant rate.
"""
import json
import os

import torch
import torch.nn.functional as F


def lars_step(w, b, state, lr, mom, wd, eta):
    for p, adapt in ((w, True), (b, False)):
        d = p.grad
        if adapt:
            wn, gn = p.norm(), d.norm()
            d = d + wd * p
            if wn > 0 and gn > 0:
                d = d * (eta * wn / (gn + wd * wn))
        buf = state.setdefault(id(p), torch.zeros_like(p))
        buf.mul_(mom).add_(d)
        p.add_(d + mom * buf, alpha=-lr)


def run(kind, lr, wd, mom, eta, x, y, w0, b0, steps=5):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    groups = [dict(params=[w], weight_decay=wd), dict(params=[b], weight_decay=0.0)]
    opt = {"adam": lambda: torch.optim.Adam(groups, lr=lr),
           "adamw": lambda: torch.optim.AdamW(groups, lr=lr),
           "sgd": lambda: torch.optim.SGD(groups, lr=lr, momentum=mom, nesterov=True),
           "lars": lambda: None}[kind]()
    state, trace = {}, []
    for _ in range(steps):
        loss = F.mse_loss(x @ w.t() + b, y)
        w.grad = b.grad = None
        loss.backward()
        with torch.no_grad():
            if opt is None:
                lars_step(w, b, state, lr, mom, wd, eta)
            else:
                opt.step()
        trace.append({"w": w.detach().t().tolist(), "b": b.detach().tolist()})  # w as DL4J's [nIn, nOut]
    return trace


def main():
    torch.manual_seed(5)
    x = torch.randn(4, 3, dtype=torch.float64)
    y = torch.randn(4, 2, dtype=torch.float64)
    w0 = torch.randn(2, 3, dtype=torch.float64)
    b0 = torch.randn(2, dtype=torch.float64)
    cases = []
    for kind, lr, wd in [("adam", 0.05, 0.1), ("adamw", 0.05, 0.1), ("sgd", 0.1, 0.1), ("lars", 0.5, 0.1),
                         ("sgd", 0.1, 0.0), ("lars", 0.5, 0.0)]:
        cases.append({"kind": kind, "lr": lr, "weight_decay": wd, "momentum": 0.9, "eta": 0.02,
                      "steps": run(kind, lr, wd, 0.9, 0.02, x, y, w0, b0)})
    out = {"x": x.tolist(), "y": y.tolist(), "w0": w0.t().tolist(), "b0": b0.tolist(), "cases": cases,
           "torch": torch.__version__}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "optimizers.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
