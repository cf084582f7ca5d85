#!/usr/bin/env python3
"""Independent references for the job's evaluation numerics, in NumPy (Debian's python3-numpy and
python3-pil), sharing no code with the job.

linear-probe.json: the linear probe of sparkssl.spark.eval.LinearProbe re-implemented: features
standardised with the mean and sample standard deviation of the side fitted on (a constant feature
becomes 0), a multinomial logistic regression minimising mean cross-entropy + reg_param/2 * ||W||^2
(intercepts not penalised, as Spark MLlib's LogisticRegression with elasticNetParam 0) solved to a
gradient norm below 1e-9 by Newton's method, reg_param chosen from 1e-4..1e-1 by top-1 on a held-out
10% of the bank (the first n*10//100 images in the order of sha256("0:<class>/<file>") in hex; a tie
goes to the larger reg_param), then refitted on the whole bank and scored on the test images. Its input
is the embeddings of the bundled sample by model.zip (the small-cnn SimCLR encoder of `spark-ssl train
--epochs 2` on the bundled sample, seed 42, without its optimiser state), which EvalReferenceTest
computes with the job's own executor pass and leaves in spark-job/target/eval-reference/ as .npy
files (`embed` writes Parquet, which NumPy alone does not read).

pixel-knn.json: the raw-pixel k-NN baseline on the bundled sample: PNGs decoded by PIL, flattened
and scaled to [0, 1], centred on the train images' mean, cosine similarity, the 20 most similar train
images vote with weight exp(similarity / 0.07), the class with the largest sum wins (the first on a tie).

Regenerate, from the repository root (both outputs are deterministic: no random numbers are drawn):
  mvn -B -o -q -pl spark-job -am test -Dtest=EvalReferenceTest -Dsurefire.failIfNoSpecifiedTests=false
  python3 spark-job/src/test/resources/eval-reference/reference.py
"""
import hashlib
import json
import pathlib
import sys

import numpy as np
from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[4]
SAMPLE = ROOT / "data" / "sample" / "fashion-mnist"
EMBEDDINGS = ROOT / "spark-job" / "target" / "eval-reference"
REG_PARAMS = [1e-4, 1e-3, 1e-2, 1e-1]


def held_out(images):
    order = sorted(range(len(images)), key=lambda i: (hashlib.sha256(f"0:{images[i]}".encode()).hexdigest(), images[i]))
    mask = np.zeros(len(images), dtype=bool)
    mask[order[: len(images) * 10 // 100]] = True
    return mask


def standardiser(x):
    mean = x.mean(axis=0)
    std = x.std(axis=0, ddof=1)
    scale = np.where(std > 0, 1 / np.where(std > 0, std, 1), 0)
    return lambda z: (z - mean) * scale


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(x, y, classes, reg):
    """Newton's method on mean cross-entropy + reg/2 ||W||^2; returns (W [K, D], b [K])."""
    n, d = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    onehot = np.eye(classes)[y]
    theta = np.zeros((classes, d + 1))
    penalty = np.ones((classes, d + 1))
    penalty[:, d] = 0

    def loss(t):
        z = xa @ t.T
        z -= z.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(z).sum(axis=1)) - (z * onehot).sum(axis=1)) + reg / 2 * np.sum((t * penalty) ** 2)

    for _ in range(100):
        p = softmax(xa @ theta.T)
        grad = (p - onehot).T @ xa / n + reg * theta * penalty
        if np.linalg.norm(grad) < 1e-9:
            break
        size = classes * (d + 1)
        hess = np.zeros((classes, d + 1, classes, d + 1))
        for s in range(0, n, 256):
            pb, xb = p[s:s + 256], xa[s:s + 256]
            a = np.einsum("nk,kl->nkl", pb, np.eye(classes)) - np.einsum("nk,nl->nkl", pb, pb)
            hess += np.einsum("nkl,nd,ne->kdle", a, xb, xb, optimize=True) / n
        hess = hess.reshape(size, size) + np.diag((reg * penalty).ravel())
        # the intercepts can all move by one constant without changing a prediction: a tiny ridge there
        hess += np.diag((1e-12 * (1 - penalty)).ravel())
        step = np.linalg.solve(hess, grad.ravel()).reshape(classes, d + 1)
        t, f0, slope = 1.0, loss(theta), -np.sum(grad * step)
        while loss(theta - t * step) > f0 + 1e-4 * t * slope and t > 1e-10:
            t /= 2
        theta = theta - t * step
    else:
        raise RuntimeError(f"Newton did not converge for reg_param {reg}: gradient norm {np.linalg.norm(grad)}")
    return theta[:, :d], theta[:, d]


def correct(w, b, x, y):
    return int(np.sum(np.argmax(x @ w.T + b, axis=1) == y))


def probe(x, y, classes, images, xq, yq):
    held = held_out(images)
    fit_x, held_x = x[~held], x[held]
    scale = standardiser(fit_x)
    held_top1 = {}
    best = REG_PARAMS[0]
    for reg in REG_PARAMS:
        w, b = fit(scale(fit_x), y[~held], classes, reg)
        held_top1[reg] = correct(w, b, scale(held_x), y[held]) / held.sum()
        if held_top1[reg] >= held_top1[best]:
            best = reg
    scale = standardiser(x)
    w, b = fit(scale(x), y, classes, best)
    right = correct(w, b, scale(xq), yq)
    return {"train_images": len(y), "held_out_images": int(held.sum()), "classes": classes,
            "reg_params": REG_PARAMS, "held_out_top1": [held_top1[r] for r in REG_PARAMS], "reg_param": best,
            "top1": right / len(yq), "correct": right, "queries": len(yq)}


def labels(images, classes):
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index.get(i.split("/")[0], -1) for i in images])


def linear_reference():
    sides = {}
    for side in ("train", "test"):
        x = np.load(EMBEDDINGS / f"embeddings-{side}.npy").astype(np.float64)
        images = (EMBEDDINGS / f"images-{side}.txt").read_text().split("\n")[:-1]
        sides[side] = (x, images)
    x, images = sides["train"]
    classes = sorted({i.split("/")[0] for i in images})
    xq, query_images = sides["test"]
    out = probe(x, labels(images, classes), len(classes), images, xq, labels(query_images, classes))
    out["embedding_dimension"] = x.shape[1]
    return out


def pixels(side):
    images, rows = [], []
    for folder in sorted(p for p in (SAMPLE / side).iterdir() if p.is_dir()):
        for png in sorted(folder.glob("*.png")):
            with Image.open(png) as img:
                # the job's input at its defaults (28 px, 1 channel): decoding is all it does to these
                assert img.mode == "L" and img.size == (28, 28), (png, img.mode, img.size)
                rows.append(np.asarray(img, dtype=np.float64).ravel() / 255)
            images.append(f"{folder.name}/{png.name}")
    return np.stack(rows), images


def pixel_knn_reference(k=20, temperature=0.07):
    bank, bank_images = pixels("train")
    queries, query_images = pixels("test")
    classes = sorted({i.split("/")[0] for i in bank_images})
    yb, yq = labels(bank_images, classes), labels(query_images, classes)
    mean = bank.mean(axis=0)
    b = bank - mean
    q = queries - mean
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    sims = q @ b.T
    right = 0
    for i in range(len(q)):
        top = np.argsort(-sims[i], kind="stable")[:k]
        votes = np.zeros(len(classes))
        np.add.at(votes, yb[top], np.exp(sims[i, top] / temperature))
        right += int(np.argmax(votes) == yq[i])
    return {"k": k, "temperature": temperature, "bank_images": len(yb), "classes": len(classes), "dimension": bank.shape[1],
            "top1": right / len(yq), "correct": right, "queries": len(yq)}


def main():
    for name, reference in (("linear-probe.json", linear_reference), ("pixel-knn.json", pixel_knn_reference)):
        result = reference()
        (HERE / name).write_text(json.dumps(result, indent=2) + "\n")
        print(name, json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
