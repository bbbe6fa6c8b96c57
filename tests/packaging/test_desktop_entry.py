"""`pypac install-desktop`: the packaged resources, the files it writes, the tools it runs.

Every test writes into a temporary XDG_DATA_HOME; nothing touches the real ~/.local/share.
The validators (desktop-file-validate, appstreamcli) are Debian packages that ./dev installs:
on Linux a missing validator fails the test rather than skipping it. Only the tests named
*validate* need them (the wheel's own test in a manylinux container deselects them).
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from pypac import cli, desktop_entry
from pypac.desktop_entry import APP_ID, DESKTOP_FILE, METAINFO_FILE

SIZES = (16, 24, 32, 48, 64, 128, 256)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["install-desktop", *args])
    out, err = capsys.readouterr()
    return code, out, err


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def validator(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is missing: apt-get install desktop-file-utils appstream")
    return exe


def icon_files(home: Path) -> list[Path]:
    return sorted((home / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.*"))


# ---- what the package ships ----------------------------------------------------------


def test_the_installed_package_ships_the_resources() -> None:
    res = desktop_entry.resource_dir()
    assert (res / "linux" / DESKTOP_FILE).is_file()
    assert (res / "linux" / METAINFO_FILE).is_file()
    assert (res / "icons" / "pypac-mixer.svg").read_bytes().lstrip().startswith(b"<?xml")
    for size in SIZES:
        png = res / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(png.read_bytes()) == (size, size)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop tools: Linux")
def test_packaged_desktop_file_and_metainfo_validate() -> None:
    res = desktop_entry.resource_dir()
    with_files = [
        [validator("desktop-file-validate"), str(res / "linux" / DESKTOP_FILE)],
        [validator("appstreamcli"), "validate", "--no-net", str(res / "linux" / METAINFO_FILE)],
    ]
    for argv in with_files:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"{argv[0]}: {out.stdout}{out.stderr}"


# ---- install / uninstall through the command line -------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install-desktop is for Linux")
def test_install_then_uninstall(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert code == cli.EXIT_OK, err
    desktop = data_home / "applications" / DESKTOP_FILE
    assert f"menu entry  {desktop}" in out
    assert "pypac install-desktop --uninstall" in out

    exec_line = next(line for line in desktop.read_text().splitlines() if line.startswith("Exec="))
    mixer = Path(exec_line.removeprefix("Exec="))
    assert mixer.is_absolute() and mixer.name == "pypac-mixer"
    assert os.access(mixer, os.X_OK), f"{mixer} is not an executable"
    assert (data_home / "metainfo" / METAINFO_FILE).is_file()
    icons = icon_files(data_home)
    assert [p.parent.parent.name for p in icons] == sorted(
        [f"{n}x{n}" for n in SIZES] + ["scalable"]
    )

    code, out, err = run_cli(capsys)  # a second install overwrites, still fine
    assert code == cli.EXIT_OK, err

    code, out, err = run_cli(capsys, "--uninstall")
    assert code == cli.EXIT_OK, err
    assert f"({len(SIZES) + 3} files)" in out
    assert not desktop.exists() and not icon_files(data_home)
    assert not (data_home / "metainfo" / METAINFO_FILE).exists()

    code, out, err = run_cli(capsys, "--uninstall")
    assert code == cli.EXIT_OK, err
    assert out.startswith("Nothing to remove")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install-desktop is for Linux")
def test_cache_tools_run_only_when_present(
    data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))  # no real tool is found on this PATH
    report = desktop_entry.install()
    assert report.tools_run == [] and report.warnings == []

    log = tmp_path / "calls.log"
    for name in ("update-desktop-database", "gtk-update-icon-cache"):
        fake = tools / name
        fake.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    report = desktop_entry.install()
    # No icon cache in the user's theme: GTK scans the folders, so none is created.
    assert report.tools_run == ["update-desktop-database"]
    assert log.read_text().split() == [
        "update-desktop-database",
        "-q",
        str(data_home / "applications"),
    ]

    cache = data_home / "icons" / "hicolor" / "icon-theme.cache"
    cache.write_bytes(b"")  # an existing cache must be refreshed, or it hides the new icons
    log.unlink()
    report = desktop_entry.uninstall()
    assert report.tools_run == ["update-desktop-database", "gtk-update-icon-cache"]
    assert f"gtk-update-icon-cache -q -t -f {cache.parent}" in log.read_text()


def test_exec_argument_quoting() -> None:
    assert desktop_entry.exec_argument("/opt/pypac/bin/pypac-mixer") == "/opt/pypac/bin/pypac-mixer"
    # Quoted for the space; $ escaped inside quotes; then every backslash doubled by the
    # string escaping that desktop-file readers undo first; % doubled for field codes.
    assert desktop_entry.exec_argument("/home/a b/$x/100%") == '"/home/a b/\\\\$x/100%%"'
    assert desktop_entry.exec_argument('/q"/b\\') == '"/q\\\\"/b\\\\\\\\"'


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="desktop-file-validate: Linux")
def test_unusual_install_path_still_validates(data_home: Path, tmp_path: Path) -> None:
    mixer = tmp_path / "my apps $HOME" / "pypac-mixer"
    mixer.parent.mkdir()
    mixer.write_text("#!/bin/sh\n")
    mixer.chmod(0o755)
    desktop_entry.install(mixer=mixer)
    desktop = data_home / "applications" / DESKTOP_FILE
    out = subprocess.run(
        [validator("desktop-file-validate"), str(desktop)], capture_output=True, text=True
    )
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


# ---- failures: clear messages, the CLI's exit codes ------------------------------------------


def test_other_platforms_are_told_why(
    data_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    code, _, err = run_cli(capsys)
    assert code == cli.EXIT_ERROR
    assert "only Linux desktops read" in err and not data_home.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install-desktop is for Linux")
def test_missing_mixer_command_is_an_error(
    data_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(desktop_entry.sysconfig, "get_path", lambda *a, **k: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = run_cli(capsys)
    assert code == cli.EXIT_ERROR
    assert "cannot find the pypac-mixer command" in err and not data_home.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install-desktop is for Linux")
def test_unwritable_data_home_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    code, _, err = run_cli(capsys)
    assert code == cli.EXIT_ERROR
    assert err.startswith("pypac: cannot write") and str(blocker) in err


def test_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert desktop_entry.data_home() == Path.home() / ".local" / "share"
