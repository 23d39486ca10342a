"""Small geometry helpers of the demo county (metric CRS, metres)."""
from __future__ import annotations

import numpy as np
import shapely


def bearing(dx, dy):
    """Degrees clockwise from (grid) north."""
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def wiggle(rng, a, b, step: float = 120.0, rel: float = 0.035, cap: float = 220.0) -> np.ndarray:
    """A slightly wiggly polyline from a to b (both ends fixed)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    d = b - a
    length = float(np.hypot(*d))
    if length < 1.0:
        return np.vstack([a, b])
    k = int(np.clip(length / step, 2, 80))
    t = np.linspace(0.0, 1.0, k + 1)
    amp = min(rel * length, cap)
    c = rng.normal(0.0, 1.0, 3)
    ph = rng.uniform(0.0, 2 * np.pi, 2)
    env = np.sin(np.pi * t)
    off = amp * (0.8 * c[0] * env
                 + 0.5 * c[1] * np.sin(2 * np.pi * t + ph[0]) * env
                 + 0.3 * c[2] * np.sin(3 * np.pi * t + ph[1]) * env)
    off += rng.normal(0.0, 0.06 * amp + 1.0, k + 1) * env
    normal = np.array([-d[1], d[0]]) / length
    return a + np.outer(t, d) + np.outer(off, normal)


def noisy_ellipse(rng, cx: float, cy: float, a: float, b: float, n: int = 18):
    """An ellipse of semi-axes a, b with a random heading and slightly noisy radii."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    rot = rng.uniform(0.0, np.pi)
    r = 1.0 + rng.normal(0.0, 0.06, n)
    x = a * r * np.cos(theta)
    y = b * r * np.sin(theta)
    xr = cx + x * np.cos(rot) - y * np.sin(rot)
    yr = cy + x * np.sin(rot) + y * np.cos(rot)
    return shapely.Polygon(np.column_stack([xr, yr]))


def rectangle(rng, cx: float, cy: float, w: float, h: float):
    """A w by h rectangle centred on (cx, cy) with a random heading."""
    rot = rng.uniform(0.0, np.pi)
    x = np.array([-w, w, w, -w]) / 2
    y = np.array([-h, -h, h, h]) / 2
    xr = cx + x * np.cos(rot) - y * np.sin(rot)
    yr = cy + x * np.sin(rot) + y * np.cos(rot)
    return shapely.Polygon(np.column_stack([xr, yr]))

