"""Read a mixer settings file the way the next start of the mixer would: in a new
process, so nothing comes from this process's QSettings cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_READ_BACK = """
import json
from PySide6.QtCore import QCoreApplication
from pypac.mixer.settings import KEYS, WINDOW_GEOMETRY
from pypac.mixer.settings_store import load_settings
app = QCoreApplication([])
s = load_settings()
out = {k: s.value(k) for k in KEYS}
out[WINDOW_GEOMETRY] = s.value(WINDOW_GEOMETRY).hex()
out["problems"] = s.backend.problems
print(json.dumps(out))
"""


def read_in_new_process(path: Path, home: Path) -> dict[str, Any]:
    """Every setting as the next run sees it (geometry as hex), plus "problems"."""
    env = {"PYPAC_MIXER_SETTINGS": str(path), "HOME": str(home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", _READ_BACK], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]
