"""Reference NT-Xent values computed with PyTorch, for NtXentLossTest.

Run with Debian's torch:  /usr/bin/python3 model/src/test/python/ntxent_fixture.py
It rewrites model/src/test/resources/fixtures/ntxent.json. The formulation is SimCLR's own:
cross-entropy over the 2N x 2N cosine-similarity logits with the diagonal masked to -inf.
"""
import json
import os

import torch
import torch.nn.functional as F


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.t() / tau
    logits.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, targets)


def main():
    torch.manual_seed(1234)
    cases = []
    for n, d, tau, scale in [(4, 8, 0.5, 1.0), (8, 16, 0.2, 1.0), (16, 32, 0.07, 3.0), (3, 5, 1.0, 0.1), (32, 64, 0.1, 1.0)]:
        z1 = (torch.randn(n, d, dtype=torch.float64) * scale)
        # correlated second view, so positives are closer than negatives as after some training
        z2 = z1 + 0.5 * torch.randn(n, d, dtype=torch.float64) * scale
        z1.requires_grad_(True)
        loss = nt_xent(z1, z2, tau)
        (grad,) = torch.autograd.grad(loss, z1)
        cases.append({"n": n, "d": d, "tau": tau, "z1": z1.detach().tolist(), "z2": z2.tolist(),
                      "loss": loss.item(), "grad_z1": grad.tolist()})
    out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "ntxent.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    print("wrote", len(cases), "cases to", os.path.normpath(out))


if __name__ == "__main__":
    main()
