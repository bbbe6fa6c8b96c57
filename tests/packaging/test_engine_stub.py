"""app/pypac/_engine.pyi, the engine's types that mypy checks the package against, is
what nanobind's stubgen makes of the engine that was built (`./dev stubs` rewrites it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "app" / "pypac" / "_engine.pyi"


def test_the_committed_engine_stub_matches_the_built_engine(tmp_path: Path):
    fresh = tmp_path / "_engine.pyi"
    subprocess.run(
        [sys.executable, "-m", "nanobind.stubgen", "-q", "-m", "pypac._engine", "-o", str(fresh)],
        check=True,
        timeout=120,
    )
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(fresh)], check=True)
    assert fresh.read_text() == COMMITTED.read_text(), (
        "app/pypac/_engine.pyi is out of date with the bindings: run ./dev stubs"
    )
