"""Sizes as people read them, the same in the CLI and the TUI."""

from __future__ import annotations


def human_bytes(size: int) -> str:
    """`512 B`, `780.5 KB`, `1.2 GB` (powers of 1024; GB is the largest unit)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
