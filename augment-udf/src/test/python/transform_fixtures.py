"""Reference outputs of torchvision 0.14's tensor transforms, for TransformFixturesTest.

Run with Debian's torchvision:  /usr/bin/python3 augment-udf/src/test/python/transform_fixtures.py
It rewrites augment-udf/src/test/resources/transforms/ (two input PNGs and transforms.json).
Every random draw is fixed here (crop box, jitter factors and order, sigma, ...), so the Java
transforms can be compared with them one operation at a time. Inputs are ToTensor() of the PNG,
which the Java decoder reproduces exactly for 8-bit PNGs.
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "transforms")


def make_inputs():
    """A 32x40 colour image with gradients, saturated blocks, grey areas and noise."""
    rng = np.random.default_rng(7)
    h, w = 32, 40
    y, x = np.mgrid[0:h, 0:w]
    r = 255 * x / (w - 1)
    g = 255 * y / (h - 1)
    b = 127 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0)
    img = np.stack([r, g, b], axis=-1)
    img[4:12, 6:16] = [250, 20, 30]
    img[18:28, 22:34] = [30, 200, 60]
    img[20:26, 2:10] = [128, 128, 128]
    img += rng.normal(0, 12, img.shape)
    rgb = Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")
    return rgb, rgb.convert("L")


def color_jitter(t, order, b, c, s, h):
    """ColorJitter.forward with its get_params() results given."""
    for fn in order:
        if fn == 0:
            t = F.adjust_brightness(t, b)
        elif fn == 1:
            t = F.adjust_contrast(t, c)
        elif fn == 2:
            t = F.adjust_saturation(t, s)
        elif fn == 3:
            t = F.adjust_hue(t, h)
    return t


def cases():
    yield "resized_crop_down", "rgb", {"top": 3, "left": 5, "height": 27, "width": 31, "size": 24}, \
        lambda t: F.resized_crop(t, 3, 5, 27, 31, [24, 24], antialias=True)
    yield "resized_crop_up", "rgb", {"top": 10, "left": 2, "height": 9, "width": 13, "size": 24}, \
        lambda t: F.resized_crop(t, 10, 2, 9, 13, [24, 24], antialias=True)
    yield "resized_crop_grey", "grey", {"top": 0, "left": 0, "height": 32, "width": 40, "size": 28}, \
        lambda t: F.resized_crop(t, 0, 0, 32, 40, [28, 28], antialias=True)
    yield "hflip", "rgb", {}, F.hflip
    for f in (0.62, 1.37):
        yield f"brightness_{f}", "rgb", {"factor": f}, lambda t, f=f: F.adjust_brightness(t, f)
        yield f"contrast_{f}", "rgb", {"factor": f}, lambda t, f=f: F.adjust_contrast(t, f)
        yield f"contrast_grey_{f}", "grey", {"factor": f}, lambda t, f=f: F.adjust_contrast(t, f)
        yield f"saturation_{f}", "rgb", {"factor": f}, lambda t, f=f: F.adjust_saturation(t, f)
    yield "saturation_grey", "grey", {"factor": 0.5}, lambda t: F.adjust_saturation(t, 0.5)
    for f in (-0.5, -0.17, 0.08, 0.2, 0.5):
        yield f"hue_{f}", "rgb", {"factor": f}, lambda t, f=f: F.adjust_hue(t, f)
    yield "hue_grey", "grey", {"factor": 0.3}, lambda t: F.adjust_hue(t, 0.3)
    for order, b, c, s, h in [([2, 0, 3, 1], 1.31, 0.74, 1.52, -0.07), ([3, 1, 0, 2], 0.66, 1.29, 0.41, 0.19)]:
        name = "jitter_" + "".join(map(str, order))
        params = {"order": order, "brightness": b, "contrast": c, "saturation": s, "hue": h}
        yield name, "rgb", params, lambda t, a=(order, b, c, s, h): color_jitter(t, *a)
    yield "grayscale", "rgb", {}, lambda t: F.rgb_to_grayscale(t, num_output_channels=3)
    for k, sigma in [(3, 0.7), (9, 1.6), (23, 2.0), (23, 0.1)]:
        yield f"blur_{k}_{sigma}", "rgb", {"kernel": k, "sigma": sigma}, \
            lambda t, k=k, sigma=sigma: F.gaussian_blur(t, [k, k], [sigma, sigma])
    yield "blur_grey", "grey", {"kernel": 5, "sigma": 1.1}, lambda t: F.gaussian_blur(t, [5, 5], [1.1, 1.1])
    for th in (0.5, 0.8):
        yield f"solarize_{th}", "rgb", {"threshold": th}, lambda t, th=th: F.solarize(t, th)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    yield "normalize", "rgb", {"mean": mean, "std": std}, lambda t: F.normalize(t, mean, std)


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb, grey = make_inputs()
    rgb.save(os.path.join(OUT, "input_rgb.png"))
    grey.save(os.path.join(OUT, "input_grey.png"))
    inputs = {"rgb": F.to_tensor(rgb), "grey": F.to_tensor(grey)}
    out = []
    ops = ["resized_crop", "hflip", "brightness", "contrast", "saturation", "hue", "jitter", "grayscale",
           "blur", "solarize", "normalize"]
    for name, source, params, fn in cases():
        t = fn(inputs[source].clone())
        op = next(o for o in ops if name.startswith(o))
        out.append({"name": name, "op": op, "input": f"input_{source}.png", "params": params,
                    "shape": list(t.shape), "output": [round(float(v), 7) for v in t.flatten()]})
    with open(os.path.join(OUT, "transforms.json"), "w") as fh:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": out}, fh)
    print(f"{len(out)} cases written to {OUT}")


if __name__ == "__main__":
    main()
