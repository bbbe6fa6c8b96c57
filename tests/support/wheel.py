"""The wheel of this tree, built the way `pip wheel .` builds it (the wheel test and
scripts/check-workflows.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pip_wheel_command(out: Path) -> list[str]:
    """`pip wheel` of this tree into `out`, incrementally in the build folder that
    `pip install .` used (build-dir in pyproject.toml): with the venv's build tools where
    ./dev put them there, so nothing is compiled again; isolated otherwise."""
    tools_here = importlib.util.find_spec("scikit_build_core") is not None
    isolation = ["--no-build-isolation"] if tools_here else []
    return [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        *isolation,
        "-w",
        str(out),
        str(ROOT),
    ]
