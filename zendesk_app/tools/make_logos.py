"""Draws assets/logo.png (320×320) and assets/logo-small.png (128×128) with the standard library.

A green ring with a heart-rate line through it. Run: python zendesk_app/tools/make_logos.py
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"

RING = (3, 129, 83)  # Garden green-600
PULSE = (3, 54, 61)  # Zendesk kale
BACKGROUND = (255, 255, 255)
CENTRE, OUTER, INNER = 0.5, 0.44, 0.35
PULSE_POINTS = [
    (0.10, 0.54),
    (0.34, 0.54),
    (0.41, 0.36),
    (0.49, 0.74),
    (0.57, 0.26),
    (0.64, 0.54),
    (0.90, 0.54),
]
PULSE_HALF_WIDTH = 0.028
SUPERSAMPLE = 3


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _sample(x: float, y: float) -> tuple[tuple[int, int, int], bool] | None:
    """The colour at a point in the unit square, or None where nothing is drawn."""
    segments = itertools.pairwise(PULSE_POINTS)
    if any(_segment_distance(x, y, a, b) <= PULSE_HALF_WIDTH for a, b in segments):
        return PULSE, True
    if INNER <= math.hypot(x - CENTRE, y - CENTRE) <= OUTER:
        return RING, True
    return None


def _pixels(size: int, opaque_background: bool) -> bytes:
    rows = bytearray()
    n = SUPERSAMPLE
    for row in range(size):
        rows.append(0)  # filter type "None"
        for col in range(size):
            r = g = b = covered = 0.0
            for i in range(n):
                for j in range(n):
                    hit = _sample((col + (j + 0.5) / n) / size, (row + (i + 0.5) / n) / size)
                    if hit is not None:
                        colour, _ = hit
                        r, g, b, covered = r + colour[0], g + colour[1], b + colour[2], covered + 1
            samples = n * n
            if opaque_background:
                rest = samples - covered
                pixel = (
                    round((r + rest * BACKGROUND[0]) / samples),
                    round((g + rest * BACKGROUND[1]) / samples),
                    round((b + rest * BACKGROUND[2]) / samples),
                    255,
                )
            elif covered:
                pixel = (round(r / covered), round(g / covered), round(b / covered))
                pixel = (*pixel, round(255 * covered / samples))
            else:
                pixel = (0, 0, 0, 0)
            rows.extend(pixel)
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(size: int, *, opaque_background: bool) -> bytes:
    """An 8-bit RGBA PNG of the logo at size×size."""
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    data = zlib.compress(_pixels(size, opaque_background), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def main() -> None:
    # logo.png is shown on a square tile (Zendesk rounds it); logo-small.png needs transparency.
    (ASSETS / "logo.png").write_bytes(png(320, opaque_background=True))
    (ASSETS / "logo-small.png").write_bytes(png(128, opaque_background=False))
    print(f"wrote {ASSETS / 'logo.png'} and {ASSETS / 'logo-small.png'}")


if __name__ == "__main__":
    main()
