#!/usr/bin/env python3
"""Draws hop's window icon, a rabbit's head (Varvara's hundred rabbits), as
24x24 text in assets/icon.txt: '.' is transparent, 0-3 are the launcher's
four colours (night, paper, teal, grey). src/desktop/icon.rs reads it.

Run: python3 assets/icon.py > assets/icon.txt"""

SIZE = 24


def inside_ellipse(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


def shape(x, y):
    """1 inside the rabbit, 2 inside an ear's inner part, else None."""
    px, py = x + 0.5, y + 0.5
    head = inside_ellipse(px, py, 12, 16, 7.5, 6.5)
    for cx in (7.5, 16.5):
        if inside_ellipse(px, py, cx, 6.5, 2.2, 6):
            return 2 if inside_ellipse(px, py, cx, 7, 0.9, 4.2) else 1
        if head:
            break
    return 1 if head else None


def colour(x, y):
    here = shape(x, y)
    if here is None:
        # An outline of night around the rabbit.
        near = any(
            shape(x + dx, y + dy) is not None
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
            if 0 <= x + dx < SIZE and 0 <= y + dy < SIZE
        )
        return "0" if near else "."
    if here == 2:
        return "2"
    # Eyes, nose and a grey shade along the chin.
    if (x, y) in ((8, 14), (15, 14), (8, 15), (15, 15)):
        return "0"
    if (x, y) in ((11, 18), (12, 18)):
        return "2"
    if y >= 20 and not inside_ellipse(x + 0.5, y + 0.5, 12, 15.5, 7, 5.5):
        return "3"
    return "1"


for y in range(SIZE):
    print("".join(colour(x, y) for x in range(SIZE)))
