"""What the wheel ships: the package and its engine, and no test harness.

Builds the wheel the way `pip wheel .` does (incrementally, in the same build folder as
`pip install .`, with the same build tools where ./dev put them in the venv) and lists its
files.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support.wheel import pip_wheel_command

ROOT = Path(__file__).resolve().parents[2]

#: demo/ holds only what `pypac-mixer --demo` needs.
DEMO_MODULES = {"__init__.py", "folders.py", "processes.py", "pulse_server.py", "tone_player.py"}


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        pip_wheel_command(out),
        check=True,
        timeout=900,
    )
    (wheel,) = out.glob("*.whl")
    assert wheel.name.startswith("pypac_mixer-"), wheel.name  # `pypac` on PyPI is another project
    with zipfile.ZipFile(wheel) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.timeout(900)
def test_the_wheel_ships_the_package_and_no_test_code(wheel_files: dict[str, bytes]):
    names = sorted(wheel_files)
    assert any(n.startswith("pypac/_engine") and n.endswith((".so", ".pyd")) for n in names)
    assert "pypac/mixer/app.py" in names
    assert "pypac/resources/linux/org.pypac.PyPAC.desktop" in names
    top = {n.split("/")[0] for n in names}
    assert top <= {"pypac"} | {n.split("/")[0] for n in names if ".dist-info/" in n}, top
    test_code = [
        n
        for n in names
        if n.endswith(".py")
        and ("test" in n.rsplit("/", 1)[-1] or "conftest" in n or "/support/" in n)
    ]
    assert not test_code, test_code
    demo = {n.rsplit("/", 1)[-1] for n in names if n.startswith("pypac/demo/")}
    assert demo == DEMO_MODULES, demo


@pytest.mark.timeout(900)
def test_no_shipped_message_sends_users_to_the_developer_script(wheel_files: dict[str, bytes]):
    python = {n: data.decode() for n, data in wheel_files.items() if n.endswith(".py")}
    assert not [n for n, text in python.items() if "./dev" in text]
    assert not [n for n, text in python.items() if "pipewire" in text and "/demo/" in n]
