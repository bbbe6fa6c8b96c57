"""Screenshots the mixer tests take: checked not to be blank, kept on request."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

#: Set to a folder to keep the screenshots (e.g. screenshots/ of the checkout).
SCREENSHOT_ENV = "PYPAC_SCREENSHOT_DIR"


def keep_screenshot(image: QImage, tmp_path: Path, name: str) -> Path:
    """Save `image`, check it is not blank, and copy it to $PYPAC_SCREENSHOT_DIR if set."""
    path = tmp_path / name
    assert image.save(str(path))
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(rgb.constBits(), np.uint8, rgb.sizeInBytes())
    assert len(np.unique(raw.reshape(-1, 4)[:, :3], axis=0)) > 20, f"{name} is (nearly) blank"
    if os.environ.get(SCREENSHOT_ENV):
        folder = Path(os.environ[SCREENSHOT_ENV])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / name)
    return path
