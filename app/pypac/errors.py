"""PyPAC's one exception hierarchy.

The native engine raises these classes directly (the bindings look them up
here), so a message always names the OS/server call that failed, its code, and
what the user can do. This module imports nothing from pypac on purpose: the
native module imports it while the package is still initialising.
"""

from __future__ import annotations


class PyPACError(Exception):
    """Base class of every error PyPAC raises on purpose."""


class ServerUnavailableError(PyPACError, ConnectionError):
    """No sound server answers, or the connection to it was lost."""


class SessionNotFoundError(PyPACError, LookupError):
    """No audio session belongs to the given process id or name."""


class InvalidArgumentError(PyPACError, ValueError):
    """An argument was rejected before anything reached the server."""


class DeviceNotFoundError(PyPACError, LookupError):
    """No output or input device has the given id or name."""


class AmbiguousNameError(InvalidArgumentError):
    """A name matches several apps or devices; the message lists them."""


class BackendError(PyPACError, OSError):
    """An OS or sound-server call failed; the message names the call and its code."""


class UnsupportedError(PyPACError, NotImplementedError):
    """This backend or OS version cannot do what was asked."""


__all__ = [
    "AmbiguousNameError",
    "BackendError",
    "DeviceNotFoundError",
    "InvalidArgumentError",
    "PyPACError",
    "ServerUnavailableError",
    "SessionNotFoundError",
    "UnsupportedError",
]
