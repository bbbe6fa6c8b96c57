"""Entry script of the frozen pypac command line (PyInstaller runs it as __main__)."""

from pypac.cli import entry

entry()
