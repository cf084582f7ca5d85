"""torchvision's two-view pipeline for a spark-ssl preset, timed on one core; the peer for
`spark-ssl benchmark-augment`.

Run with Debian's torchvision: /usr/bin/python3 deploy/bench/torchvision_augment.py --dir D --size 224 ...
Prints one JSON object with images/s for two torchvision pipelines, each with decoding included
(file bytes in memory -> views) and excluded (decoded images -> views):
  pil:    PIL images through the transforms, then ToTensor (how SSL libraries use torchvision)
  tensor: decoded uint8 tensors, as float, through the same transforms (the semantics spark-ssl copies)
Normalize is left out on both sides (spark-ssl applies it when views become the model's floats).
"""
import argparse
import io
import json
import os
import time

import torch
import torchvision
import torchvision.transforms as T
from PIL import Image
from torchvision.io import decode_image, ImageReadMode


def transforms(a, size, tensor):
    blur_kernel = a.blur_kernel or max(3, round(size * 0.1) | 1)
    steps = [
        T.RandomResizedCrop(size, scale=(a.crop_min, 1.0), antialias=True),
        T.RandomHorizontalFlip(a.flip_p),
        T.RandomApply([T.ColorJitter(a.brightness, a.contrast, a.saturation, a.hue)], p=a.jitter_p),
        T.RandomGrayscale(a.grayscale_p),
        T.RandomApply([T.GaussianBlur(blur_kernel, (a.sigma_min, a.sigma_max))], p=a.blur_p),
    ]
    if a.solarize_p > 0:
        steps.append(T.RandomSolarize(0.5 if tensor else 128, p=a.solarize_p))
    if not tensor:
        steps.append(T.ToTensor())
    return T.Compose(steps)


def rate(fn, items, seconds):
    """Images per second over at least `seconds`, after a one-second warm-up."""
    for phase, limit in (("warmup", 1.0), ("measure", seconds)):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < limit:
            fn(items[n % len(items)])
            n += 1
    return n / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--views", type=int, default=2)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--crop-min", type=float, default=0.08)
    p.add_argument("--flip-p", type=float, default=0.5)
    p.add_argument("--jitter-p", type=float, default=0.8)
    p.add_argument("--brightness", type=float, default=0.8)
    p.add_argument("--contrast", type=float, default=0.8)
    p.add_argument("--saturation", type=float, default=0.8)
    p.add_argument("--hue", type=float, default=0.2)
    p.add_argument("--grayscale-p", type=float, default=0.2)
    p.add_argument("--blur-p", type=float, default=0.5)
    p.add_argument("--blur-kernel", type=int, default=0)
    p.add_argument("--sigma-min", type=float, default=0.1)
    p.add_argument("--sigma-max", type=float, default=2.0)
    p.add_argument("--solarize-p", type=float, default=0.0)
    a = p.parse_args()
    torch.set_num_threads(1)

    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir))
    raw = [open(f, "rb").read() for f in files]
    pil_tf, tensor_tf = transforms(a, a.size, False), transforms(a, a.size, True)

    def pil_decode(b):
        return Image.open(io.BytesIO(b)).convert("RGB")

    def tensor_decode(b):
        return decode_image(torch.frombuffer(bytearray(b), dtype=torch.uint8), ImageReadMode.RGB).float() / 255

    def views(tf, img):
        return [tf(img) for _ in range(a.views)]

    pil_imgs = [pil_decode(b) for b in raw]
    tensor_imgs = [tensor_decode(b) for b in raw]
    out = {
        "torchvision": torchvision.__version__,
        "threads": torch.get_num_threads(),
        "pil_with_decode": rate(lambda b: views(pil_tf, pil_decode(b)), raw, a.seconds),
        "pil_decoded": rate(lambda img: views(pil_tf, img), pil_imgs, a.seconds),
        "tensor_with_decode": rate(lambda b: views(tensor_tf, tensor_decode(b)), raw, a.seconds),
        "tensor_decoded": rate(lambda img: views(tensor_tf, img), tensor_imgs, a.seconds),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
