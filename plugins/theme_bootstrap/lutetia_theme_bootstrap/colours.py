"""Colours of a site's identity: parsing, contrast (WCAG 2.1), shades for hover and focus."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
#: WCAG 2.1 AA, success criterion 1.4.3: normal text.
AA_CONTRAST = 4.5


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three integers."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance, as WCAG 2.1 defines it."""
    r, g, b = (_channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """Contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black: ``amount`` 0.15 is 15 % darker (hover, active)."""
    return "#" + "".join(f"{round(v * (1 - amount)):02x}" for v in rgb(colour))
