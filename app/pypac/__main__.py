"""`python -m pypac` is the `pypac` command."""

from .cli import entry

entry()
