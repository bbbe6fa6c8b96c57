"""What names an app across restarts, for every part of the mixer that remembers apps:
the volume memory, the tray's per-app menu and mute-all, and the hidden strips."""

from __future__ import annotations

from pypac.engine import SessionInfo


def app_identity(info: SessionInfo) -> str | None:
    """What names an app across restarts: "<process binary>|<display name>".

    None when the session has neither (nothing stable to key by)."""
    if not info.process_name and not info.display_name:
        return None
    return f"{info.process_name}|{info.display_name}"
