"""pypac-mixer: the Qt window with one live channel strip per audio session.

This package is the only one in PyPAC that imports PySide6; `levels`,
`session_model` and `settings` keep their logic free of widgets so it can be
tested (and reused by other front ends) without a display.
"""
