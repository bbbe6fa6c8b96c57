"""The devices the mixer shows and the apps that record. Qt-free.

The worker re-reads the whole device list whenever the server reports a
device change (a handful of devices: cheaper to read again than to patch),
and polls which apps record. The model keeps the newest of both here; the
views ask it for the default output, the outputs an app may choose from, and
whether an app uses the microphone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pypac.engine import DeviceInfo, DeviceKind, SessionInfo

#: The view key of the default microphone's level (apps are pids > 0, the system 0).
MIC_KEY = -1


@dataclass
class DeviceTable:
    devices: list[DeviceInfo] = field(default_factory=list)
    #: pid -> the device it records from (an input device, or an output's monitor).
    recording: dict[int, str] = field(default_factory=dict)

    def outputs(self) -> list[DeviceInfo]:
        return [d for d in self.devices if d.kind == DeviceKind.OUTPUT]

    def inputs(self) -> list[DeviceInfo]:
        return [d for d in self.devices if d.kind == DeviceKind.INPUT]

    def default(self, kind: DeviceKind = DeviceKind.OUTPUT) -> DeviceInfo | None:
        return next((d for d in self.devices if d.kind == kind and d.is_default), None)

    def get(self, device_id: str) -> DeviceInfo | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def microphone_in_use(self) -> bool:
        """True while some app records from an input device."""
        inputs = {d.id for d in self.inputs()}
        return any(device in inputs for device in self.recording.values())

    def records_microphone(self, info: SessionInfo) -> bool:
        """True if any of the app's processes records from an input device."""
        inputs = {d.id for d in self.inputs()}
        pids = info.process_ids or (info.process_id,)
        return any(self.recording.get(pid) in inputs for pid in pids)


def recording_map(sessions: list[SessionInfo]) -> dict[int, str]:
    """pid -> device, for every process of every app that records."""
    found: dict[int, str] = {}
    for s in sessions:
        if not s.device_id:
            continue  # pipewire-pulse lists a new recording stream before it is linked
        for pid in s.process_ids or (s.process_id,):
            found[pid] = s.device_id
    return found
