"""Reference outputs and gradients of the project's custom head layers, computed with PyTorch, for HeadLayersTest.

Run with Debian's torch:  /usr/bin/python3 model/src/test/python/layers_fixture.py
It rewrites model/src/test/resources/fixtures/layers.json. Written the way the methods' reference code
writes them: the predictor as nn.Sequential(Linear, BatchNorm1d in training mode, ReLU, Linear) (BYOL,
SimSiam), whose layer passes its input z on beside the prediction; DINO's last layer as a weight-normalised
Linear with its norm fixed at 1, applied to the L2-normalised bottleneck. Gradients are those of
sum(out * r) for a fixed random r, with respect to the input and every parameter.
"""
import json
import os

import torch
import torch.nn.functional as F


def rand(g, *shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float64, generator=g) * scale


def predictor(z, W1, b1, gamma, beta, W2, b2):
    h = z @ W1 + b1
    h = F.batch_norm(h, None, None, gamma.reshape(-1), beta.reshape(-1), training=True, eps=1e-5)
    return torch.cat([z, F.relu(h) @ W2 + b2], dim=1)


def prototypes(x, W):
    return F.normalize(x, dim=1) @ F.normalize(W, dim=0)


def case(layer, inputs, fn, g):
    for v in inputs.values():
        v.requires_grad_(True)
    out = fn(**inputs)
    r = rand(g, *out.shape)
    grads = torch.autograd.grad((out * r).sum(), list(inputs.values()))
    return {"layer": layer, "inputs": {k: v.detach().tolist() for k, v in inputs.items()}, "r": r.tolist(),
            "output": out.detach().tolist(), "grads": {k: d.tolist() for k, d in zip(inputs, grads)}}


def main():
    g = torch.Generator().manual_seed(20261129)
    n, d, hidden, k = 6, 5, 4, 7
    cases = [
        case("predictor", {"z": rand(g, n, d), "W1": rand(g, d, hidden, scale=0.5), "b1": rand(g, 1, hidden, scale=0.1),
                           "gamma": 1 + rand(g, 1, hidden, scale=0.2), "beta": rand(g, 1, hidden, scale=0.2),
                           "W2": rand(g, hidden, d, scale=0.5), "b2": rand(g, 1, d, scale=0.1)}, predictor, g),
        case("prototypes", {"x": rand(g, n, d), "W": rand(g, d, k)}, prototypes, g),
    ]
    out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "layers.json")
    with open(out, "w") as f:
        json.dump({"generator": "model/src/test/python/layers_fixture.py", "torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
