"""Drawn stand-ins for the demo's site photos: a street at night, dark before the fix and lit after it."""

import io
import random

from PIL import Image, ImageDraw


def street_photo(*, lit: bool, seed: int) -> bytes:
    """A small JPEG of a street with a wall, a path and lamps; `lit` turns the lamps on."""
    rng = random.Random(seed)
    width, height = 480, 320
    image = Image.new("RGB", (width, height), (18, 20, 34) if not lit else (40, 46, 70))
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(0, height), (width, height), (width * 0.62, height * 0.55), (width * 0.38, height * 0.55)],
        fill=(52, 50, 48) if not lit else (120, 116, 104),
    )
    wall = (34, 30, 30) if not lit else (96, 84, 70)
    draw.rectangle([0, height * 0.2, width * 0.3, height], fill=wall)
    draw.rectangle([width * 0.7, height * 0.25, width, height], fill=wall)
    for n in range(rng.randrange(2, 4)):
        x = width * (0.33 + 0.12 * n)
        draw.line([(x, height * 0.85), (x, height * 0.35)], fill=(70, 70, 70), width=4)
        if lit:
            draw.ellipse([x - 26, height * 0.35 - 26, x + 26, height * 0.35 + 26], fill=(255, 226, 140))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
