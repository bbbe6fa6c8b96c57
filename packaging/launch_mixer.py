"""Entry script of the frozen pypac-mixer (PyInstaller runs it as __main__)."""

from pypac.mixer.app import entry

entry()
