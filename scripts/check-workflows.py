#!/usr/bin/env python3
"""The GitHub workflows (.github/workflows), checked here before they ever run there.

    .venv/bin/python scripts/check-workflows.py

  schema            check-jsonschema --builtin-schema vendor.github-workflows on every
                    workflow (offline: the schema ships inside check-jsonschema)
  plugins           every `-p no:NAME` of a pytest command names a plugin pytest has here
                    (pytest-qt registers as "pytest-qt": "no:pytestqt" disables nothing)
  linux wheel test  the wheels job's CIBW_TEST_COMMAND_LINUX, run as cibuildwheel runs it:
                    in a fresh venv holding the wheel and its test extra but no PySide6
                    (the manylinux container cannot load Qt either), from a folder that
                    holds only CIBW_TEST_SOURCES
  windows pytest    every `python -m pytest` line the Windows jobs run: they were chosen to
                    need no audio device, so they run on Linux as well, in the same venv

The frozen app's `--server none` smoke test (the frozen-windows job's) runs in
scripts/check-frozen.sh, which has the frozen build. One PASS/FAIL line per check; the last
line is "N passed, M failed"; exit status 1 when anything failed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support

from tests.support.wheel import pip_wheel_command  # noqa: E402

WORKFLOWS = ROOT / ".github" / "workflows"
VENV = ROOT / "build" / "workflow-venv"  # reused between runs; the wheel is reinstalled
PYTEST_COMMAND = re.compile(r"python -m pytest\b[^&\n]*")


def load(name: str) -> dict[str, Any]:
    from ruamel.yaml import YAML  # a dependency of check-jsonschema (the test extra)

    with open(WORKFLOWS / name, encoding="utf-8") as f:
        return YAML(typ="safe").load(f)


def commands(node: Any) -> Iterator[str]:
    """Every string of a workflow that a shell or cibuildwheel runs."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "run" or key.startswith("CIBW_TEST_COMMAND")):
                yield value
            else:
                yield from commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from commands(item)


def pytest_commands(name: str) -> list[list[str]]:
    """The `python -m pytest ...` invocations of one workflow, as argument lists (one per
    line of a `run:` block; cibuildwheel's folded commands end at `&&`)."""
    return [
        shlex.split(match.group(0))
        for text in commands(load(name))
        for match in PYTEST_COMMAND.finditer(text)
    ]


def disabled_plugins(argv: list[str]) -> list[str]:
    """NAME of every `-p no:NAME` (or `-pno:NAME`)."""
    names = []
    for i, arg in enumerate(argv):
        if arg == "-p" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("-p") and not arg.startswith("--"):
            value = arg[2:]
        else:
            continue
        if value.startswith("no:"):
            names.append(value[3:])
    return names


def known_plugins() -> set[str]:
    """Names `-p no:` can disable here: installed plugins' entry points and pytest's own."""
    from importlib.metadata import entry_points

    from _pytest.config import default_plugins, essential_plugins

    return (
        {ep.name for ep in entry_points(group="pytest11")}
        | set(default_plugins)
        | set(essential_plugins)
    )


def test_sources() -> list[str]:
    env = load("wheels.yml")["jobs"]["wheels"]["steps"]
    for step in env:
        sources = step.get("env", {}).get("CIBW_TEST_SOURCES")
        if sources:
            return sources.split()
    raise LookupError("wheels.yml sets no CIBW_TEST_SOURCES")


def cibw_env(name: str) -> str:
    for step in load("wheels.yml")["jobs"]["wheels"]["steps"]:
        value = step.get("env", {}).get(name)
        if value:
            return " ".join(value.split())
    raise LookupError(f"wheels.yml sets no {name}")


class Checks:
    def __init__(self) -> None:
        self.passed = self.failed = 0

    def report(self, name: str, ok: bool, detail: str) -> bool:
        print(f"{'PASS' if ok else 'FAIL'} workflows.{name}: {detail}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def check_schema(checks: Checks) -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    exe = Path(sys.executable).with_name("check-jsonschema")
    out = subprocess.run(
        [str(exe), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    ok = out.returncode == 0
    detail = f"{len(files)} workflow(s) valid against the vendored github-workflows schema"
    checks.report("schema", ok, detail if ok else "invalid:\n" + tail(out.stdout + out.stderr))


def check_plugins(checks: Checks) -> None:
    known = known_plugins()
    bad = [
        f"{name}: -p no:{plugin}"
        for name in ("wheels.yml", "windows.yml")
        for argv in pytest_commands(name)
        for plugin in disabled_plugins(argv)
        if plugin not in known
    ]
    checks.report(
        "plugins",
        not bad,
        "every -p no:NAME names a plugin pytest knows"
        if not bad
        else f"names no plugin pytest has: {', '.join(bad)}",
    )


def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def make_venv(checks: Checks) -> Path | None:
    """A venv with the wheel of this tree, its dependencies and test extra, minus PySide6."""
    import tomllib

    python = VENV / "bin" / "python"
    if not python.exists() and run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
        checks.report("venv", False, f"python -m venv {VENV} failed")
        return None
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [d for d in project["dependencies"] if not d.lower().startswith("pyside6")]
    wanted += project["optional-dependencies"]["test"]
    wheels = ROOT / "build" / "workflow-wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    steps = [
        pip_wheel_command(wheels),  # reuses ./dev's build folder: no second compile
        [str(python), "-m", "pip", "install", "-q", *wanted],
        [str(python), "-m", "pip", "uninstall", "-q", "-y", "PySide6-Essentials", "shiboken6"],
    ]
    for argv in steps:
        out = run(argv)
        if out.returncode != 0 and "uninstall" not in argv:
            checks.report("venv", False, f"{' '.join(argv[:5])} ... failed:\n{tail(out.stderr)}")
            return None
    wheel = next(wheels.glob("pypac_mixer-*.whl"))  # the distribution pypac-mixer
    out = run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel])
    no_qt = run([str(python), "-c", "import PySide6"]).returncode != 0
    ok = out.returncode == 0 and no_qt
    checks.report(
        "venv",
        ok,
        f"{VENV}: {wheel.name}, its dependencies and test extra, no PySide6"
        if ok
        else f"installing {wheel.name} failed or PySide6 is importable:\n{tail(out.stderr)}",
    )
    return python if ok else None


def check_linux_wheel_test(checks: Checks, python: Path) -> None:
    command = cibw_env("CIBW_TEST_COMMAND_LINUX")
    with tempfile.TemporaryDirectory(prefix="pypac-cibw-test-") as tmp:
        for source in test_sources():
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, Path(tmp) / source)
            else:
                shutil.copy2(src, Path(tmp) / source)
        env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
        env.pop("QT_QPA_PLATFORM", None)
        out = run(["bash", "-c", command], cwd=tmp, env=env, timeout=600)
    last = (out.stdout.strip().splitlines() or [""])[-1]
    checks.report(
        "linux-wheel-test",
        out.returncode == 0,
        f"CIBW_TEST_COMMAND_LINUX without Qt: {last}"
        if out.returncode == 0
        else f"exit {out.returncode}:\n{tail(out.stdout + out.stderr)}",
    )


def check_windows_pytest(checks: Checks, python: Path) -> None:
    lines = pytest_commands("windows.yml")
    lines += [shlex.split(m) for m in PYTEST_COMMAND.findall(cibw_env("CIBW_TEST_COMMAND_WINDOWS"))]
    for argv in lines:
        out = run([str(python), *argv[1:]], cwd=ROOT, timeout=600)
        last = (out.stdout.strip().splitlines() or [""])[-1]
        checks.report(
            "windows-pytest",
            out.returncode == 0,
            f"{' '.join(argv[3:])}: {last}"
            if out.returncode == 0
            else f"{' '.join(argv)}: exit {out.returncode}:\n{tail(out.stdout + out.stderr)}",
        )


def main() -> int:
    checks = Checks()
    check_schema(checks)
    check_plugins(checks)
    python = make_venv(checks)
    if python:
        check_linux_wheel_test(checks, python)
        check_windows_pytest(checks, python)
    print(f"check-workflows: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
