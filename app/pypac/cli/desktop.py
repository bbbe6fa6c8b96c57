"""`pypac install-desktop`."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from .. import desktop_entry
from .exits import EXIT_OK


def cmd_install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    if args.uninstall:
        report = desktop_entry.uninstall()
        if report.files:
            out.write(
                f"Removed PyPAC Mixer from the application menu ({len(report.files)} files):\n"
            )
            out.writelines(f"  {path}\n" for path in report.files)
        else:
            out.write(f"Nothing to remove: PyPAC Mixer is not installed in {report.data_home}.\n")
    else:
        report = desktop_entry.install()
        desktop = report.files[0]
        icons = [p for p in report.files if p.suffix in (".png", ".svg")]
        out.write(
            f"Installed PyPAC Mixer in the application menu for this user:\n"
            f"  menu entry  {desktop}\n"
            f"  runs        {report.mixer}\n"
            f"  icons       {len(icons)} in {report.data_home / 'icons' / 'hicolor'}\n"
            f"  metainfo    {report.data_home / 'metainfo' / desktop_entry.METAINFO_FILE}\n"
            'It is listed as "PyPAC Mixer" (some desktops show it after the next login).\n'
            "Remove it with: pypac install-desktop --uninstall\n"
        )
    if report.tools_run:
        out.write(f"Refreshed with: {', '.join(report.tools_run)}\n")
    for warning in report.warnings:
        sys.stderr.write(f"pypac: warning: {warning}\n")
    return EXIT_OK
