"""Writes the decoder's test images and what PIL makes of them.

Run with the system interpreter (it has PIL and numpy):
    /usr/bin/python3 augment-udf/src/test/python/decoder_fixtures.py

Every image is 12x10 (w x h) so that a wrong rotation shows as a wrong shape. expected.json holds,
per file, PIL's result for Image.open -> ImageOps.exif_transpose -> convert("RGB") and
convert("L"), as integer CHW samples; the float image is sample / scale.
luma_rounding.png and luma_rounding_palette.png hold only colours on which PIL's grey differs by one
level from the thousandths form of the same weights (see luma_rounding_colours).
Two references are not PIL's convert:
  - grey16.png: PIL opens 16-bit grey as mode "I" and convert() clips it to 255 (a white image), so
    the reference is the exact sample / 65535.
  - rgb16.png: PIL keeps the high byte of each 16-bit sample; that is the reference (scale 255).
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "decoder")
W, H = 12, 10


def colour_pattern():
    # smooth ramps with a hard-edged block: both kinds of content JPEG decoders round differently
    y, x = np.mgrid[0:H, 0:W]
    r = 20 + x * 19
    g = 30 + y * 21
    b = 200 - x * 7 - y * 9
    rgb = np.stack([r, g, b], axis=-1)
    rgb[2:5, 3:7] = [250, 10, 60]
    return rgb.clip(0, 255).astype(np.uint8)


def grey_pattern():
    y, x = np.mgrid[0:H, 0:W]
    g = (x * 17 + y * 9) % 256
    g[6:9, 1:4] = 255
    return g.astype(np.uint8)


def luma_rounding_colours():
    """Colours on which PIL's convert("L"), (19595 R + 38470 G + 7471 B + 0x8000) >> 16, differs from
    the ITU-R 601-2 weights rounded in thousandths, (299 R + 587 G + 114 B + 500) // 1000: 9040 of
    the 2^24 colours, one level apart (393 where PIL's is higher, 8647 where it is lower). One W x H
    image of them: half from each side, spread evenly over each list."""
    v = np.arange(1 << 24, dtype=np.int64)
    r, g, b = (v >> 16) & 255, (v >> 8) & 255, v & 255
    pil = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
    thousandths = (r * 299 + g * 587 + b * 114 + 500) // 1000
    pick = []
    for side in (np.nonzero(pil > thousandths)[0], np.nonzero(pil < thousandths)[0]):
        pick.extend(side[np.linspace(0, len(side) - 1, W * H // 2).astype(np.int64)])
    return np.stack([r[pick], g[pick], b[pick]], axis=-1).reshape(H, W, 3).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png16(samples, colour_type):
    """A 16-bit PNG written by hand: PIL cannot write 16-bit RGB."""
    h, w = samples.shape[:2]
    ihdr = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + samples[y].astype(">u2").tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw))
            + png_chunk(b"IEND", b""))


def exif_orientation(orientation, big_endian):
    """APP1 payload: IFD0 with a Make tag (stored at an offset) before the orientation tag."""
    e = ">" if big_endian else "<"
    make = b"Test\x00\x00"
    ifd_start = 8
    entries = 2
    make_offset = ifd_start + 2 + entries * 12 + 4
    tiff = (b"MM\x00*" if big_endian else b"II*\x00") + struct.pack(e + "I", ifd_start)
    tiff += struct.pack(e + "H", entries)
    tiff += struct.pack(e + "HHII", 0x010F, 2, len(make), make_offset)
    tiff += struct.pack(e + "HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff += struct.pack(e + "I", 0) + make
    return b"Exif\x00\x00" + tiff


def save(name, im, **kw):
    path = os.path.join(OUT, name)
    im.save(path, **kw)
    return path


def ycck_jpeg(cmyk):
    """A YCCK JPEG: the Adobe YCCK transform applied by hand, the Adobe marker's transform set to 2.

    In an Adobe JPEG the decoded CMYK is inverted (255 = no ink) and YCCK codes that inverted
    CMYK as (YCbCr of 255-C, 255-M, 255-Y; K). PIL encodes a CMYK image inverted and untransformed,
    so we hand it the inverse of the samples we want stored.
    """
    c, m, y, k = [cmyk[..., i].astype(np.float64) for i in range(4)]
    r, g, b = c, m, y  # 255 - (255 - C): the colour the inverted C channel stands for
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    stored = np.stack([yy, cb, cr, 255 - k], axis=-1).round().clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(255 - stored, "CMYK").save(buf, "JPEG", quality=95)
    data = bytearray(buf.getvalue())
    adobe = data.find(b"Adobe")
    assert adobe > 4 and data[adobe - 4:adobe - 2] == b"\xff\xee", "PIL wrote no Adobe marker"
    transform = adobe + 5 + 2 + 2 + 2  # "Adobe", version, flags0, flags1
    assert data[transform] == 0
    data[transform] = 2
    return bytes(data)


def reference(path):
    im = ImageOps.exif_transpose(Image.open(path))
    return {
        "scale": 255,
        "RGB": np.asarray(im.convert("RGB")).transpose(2, 0, 1).tolist(),
        "L": [np.asarray(im.convert("L")).tolist()],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = colour_pattern()
    grey = grey_pattern()
    alpha = np.tile(np.linspace(0, 255, W).astype(np.uint8), (H, 1))
    files = {}

    files["grey8.png"] = save("grey8.png", Image.fromarray(grey, "L"))
    files["grey1.png"] = save("grey1.png", Image.fromarray(grey, "L").convert("1"))
    files["grey_alpha.png"] = save("grey_alpha.png", Image.fromarray(np.stack([grey, alpha], -1), "LA"))
    files["rgb.png"] = save("rgb.png", Image.fromarray(rgb, "RGB"))
    files["rgba.png"] = save("rgba.png", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))
    pal = Image.fromarray(rgb, "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    files["palette.png"] = save("palette.png", pal)
    files["palette_trns.png"] = save("palette_trns.png", pal, transparency=3)
    files["grey.jpg"] = save("grey.jpg", Image.fromarray(grey, "L"), quality=90)
    files["rgb420.jpg"] = save("rgb420.jpg", Image.fromarray(rgb, "RGB"), quality=90)
    files["rgb444.jpg"] = save("rgb444.jpg", Image.fromarray(rgb, "RGB"), quality=90, subsampling=0)
    files["progressive.jpg"] = save("progressive.jpg", Image.fromarray(rgb, "RGB"), quality=90, progressive=True)
    files["grey_progressive.jpg"] = save("grey_progressive.jpg", Image.fromarray(grey, "L"), quality=90,
                                         progressive=True)
    cmyk = np.dstack([255 - rgb, (grey // 3)[..., None]])
    files["cmyk.jpg"] = save("cmyk.jpg", Image.fromarray(cmyk, "CMYK"), quality=95)
    with open(os.path.join(OUT, "ycck.jpg"), "wb") as f:
        f.write(ycck_jpeg(cmyk))
    files["ycck.jpg"] = os.path.join(OUT, "ycck.jpg")
    for o in range(1, 9):
        name = "exif_ii_%d.jpg" % o
        files[name] = save(name, Image.fromarray(rgb, "RGB"), quality=90, exif=exif_orientation(o, False))
    for o in (3, 6, 8):
        name = "exif_mm_%d.jpg" % o
        files[name] = save(name, Image.fromarray(rgb, "RGB"), quality=90, exif=exif_orientation(o, True))
    for o in (5, 6):
        name = "exif_%d.png" % o
        files[name] = save(name, Image.fromarray(rgb, "RGB"), exif=exif_orientation(o, False))

    luma = luma_rounding_colours()
    files["luma_rounding.png"] = save("luma_rounding.png", Image.fromarray(luma, "RGB"))
    luma_palette = Image.fromarray(np.arange(W * H, dtype=np.uint8).reshape(H, W), "P")
    luma_palette.putpalette(luma.reshape(-1).tolist())
    files["luma_rounding_palette.png"] = save("luma_rounding_palette.png", luma_palette)

    expected = {name: reference(path) for name, path in files.items()}

    grey16 = (grey.astype(np.uint32) * 257 + np.arange(W) * 3).clip(0, 65535).astype(np.uint16)
    with open(os.path.join(OUT, "grey16.png"), "wb") as f:
        f.write(png16(grey16, 0))
    expected["grey16.png"] = {"scale": 65535, "RGB": [grey16.tolist()] * 3, "L": [grey16.tolist()]}
    rgb16 = (rgb.astype(np.uint32) * 257 + np.arange(W)[None, :, None] * 11).clip(0, 65535).astype(np.uint16)
    with open(os.path.join(OUT, "rgb16.png"), "wb") as f:
        f.write(png16(rgb16, 2))
    expected["rgb16.png"] = reference(os.path.join(OUT, "rgb16.png"))
    assert np.array_equal(np.array(expected["rgb16.png"]["RGB"]), (rgb16 >> 8).transpose(2, 0, 1))

    # the fixtures must mean what their names say
    lw = luma.astype(np.int64) * [299, 587, 114]
    thousandths = (lw.sum(-1) + 500) // 1000
    for name in ("luma_rounding.png", "luma_rounding_palette.png"):
        assert np.array_equal(np.array(expected[name]["RGB"]), luma.transpose(2, 0, 1)), name
        pil_l = np.array(expected[name]["L"])[0]
        assert (pil_l != thousandths).all(), name  # every pixel tells the two formulas apart
    ycck = Image.open(os.path.join(OUT, "ycck.jpg"))
    # JPEG loss at the red block's edges reaches about 10; a wrong transform or inversion is off by 100+
    assert ycck.mode == "CMYK" and np.abs(np.asarray(ycck).astype(int) - cmyk).max() <= 16
    assert Image.open(files["progressive.jpg"]).info.get("progressive") == 1
    assert Image.open(files["grey_alpha.png"]).mode == "LA"
    assert "transparency" in Image.open(files["palette_trns.png"]).info
    for name in files:
        if name.startswith("exif_"):
            o = int(name.split("_")[-1].split(".")[0])
            assert Image.open(files[name]).getexif().get(0x0112) == o, name
            shape = np.array(expected[name]["L"]).shape
            assert shape == ((1, W, H) if o >= 5 else (1, H, W)), (name, shape)

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    main()
