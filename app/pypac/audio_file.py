"""An audio file that stays readable whatever ends the program writing it.

libsndfile writes the samples; this module adds what it lacks for recordings
that may be cut short by SIGKILL, a crash or a power loss. Once a second
(`checkpoint()`) the file's header is made to describe what is on disk and the
file is flushed to the device:

- WAV: libsndfile rewrites the RIFF header (SFC_UPDATE_HEADER_NOW).
- FLAC: libsndfile leaves the stream length "unknown" until close, which it
  (and so soundfile) then reads as 2**63-1 frames. We write the frame count
  that is surely encoded into STREAMINFO ourselves.
- OGG Vorbis: pages reach the file only when full, which in quiet passages
  takes many seconds, and nothing in libsndfile flushes them. So the same
  audio also goes to a FLAC "recovery" file beside it (NAME.ogg.recovery.flac)
  that is removed when the OGG file is closed properly; after a crash it holds
  everything up to the last checkpoint, and `recover()` turns it into the OGG.

Errors carry the operating system's reason ("No space left on device"), not
libsndfile's "System error.".
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import numpy as np
import soundfile as sf

from .errors import InvalidArgumentError, PyPACError

#: format name -> (libsndfile container, subtype). FLAC and Vorbis have no
#: float samples; 24-bit FLAC keeps more than any sound card puts out.
FORMATS: dict[str, tuple[str, str]] = {
    "wav": ("WAV", "FLOAT"),
    "flac": ("FLAC", "PCM_24"),
    "ogg": ("OGG", "VORBIS"),
}
DEFAULT_FORMAT = "flac"

#: Extensions that name an audio format; a path ending in one of them must
#: agree with the format asked for.
_EXTENSION_FORMATS = {
    "wav": "wav",
    "wave": "wav",
    "flac": "flac",
    "ogg": "ogg",
    "oga": "ogg",
    "mp3": "mp3",
    "m4a": "m4a",
    "aac": "aac",
    "opus": "opus",
    "wma": "wma",
    "aif": "aiff",
    "aiff": "aiff",
}

RECOVERY_SUFFIX = ".recovery.flac"

# libsndfile's sf_command() codes (sndfile.h).
_SFC_UPDATE_HEADER_NOW = 0x1060

# libFLAC holds back at most one block (libsndfile uses 4096 frames) until it
# is full: frames handed over but not yet on disk.
_FLAC_PENDING_FRAMES = 4096


def format_for(path: Path, fmt: str | None) -> str:
    """The format name ("wav", "flac", "ogg") from `fmt` or the file's extension.

    Raises InvalidArgumentError for a format we do not write, and for a path
    whose audio extension says another format than `fmt`."""
    ext = path.suffix.lstrip(".").lower()
    by_ext = _EXTENSION_FORMATS.get(ext)
    if fmt is not None:
        name = fmt.lower()
        if name not in FORMATS:
            raise InvalidArgumentError(
                f"unknown recording format {fmt!r}: use one of {', '.join(FORMATS)}"
            )
        if by_ext is not None and by_ext != name:
            raise InvalidArgumentError(
                f"the file name {path.name!r} says {by_ext.upper()} but the format asked "
                f"for is {name.upper()}: name the file .{name} or leave the format out"
            )
        return name
    name = by_ext or (ext if ext else DEFAULT_FORMAT)
    if name not in FORMATS:
        raise InvalidArgumentError(
            f"cannot record to {path.name!r}: .{ext} is not a format PyPAC writes; "
            f"use one of {', '.join('.' + f for f in FORMATS)}"
        )
    return name


def recovery_path(path: Path) -> Path:
    """Where an OGG recording keeps its crash-safe copy while it runs."""
    return path.with_name(path.name + RECOVERY_SUFFIX)


def os_reason(exc: BaseException) -> str:
    """The OS's words for an OSError ("Is a directory"), else the message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


class AudioFileError(PyPACError):
    """Creating or writing a recording's file failed; the message says why in
    the operating system's words and what the user can do."""


def _open_fd(path: Path, overwrite: bool) -> int:
    if not str(path):
        raise AudioFileError("no output file given: name the file to record to")
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    try:
        return os.open(path, flags, 0o644)
    except FileExistsError as exc:
        if path.is_dir():
            raise AudioFileError(f"cannot record to {path}: {os.strerror(errno.EISDIR)}") from exc
        raise AudioFileError(
            f"cannot record to {path}: a file of that name already exists "
            "(choose another name, or allow overwriting: --force on the command line)"
        ) from None
    except OSError as exc:
        raise AudioFileError(f"cannot create {path}: {os_reason(exc)}") from exc


def _libsndfile_message(handle: object | None) -> str:
    """libsndfile's account of its last error ("System error : No space left
    on device." for an OS error)."""
    raw = sf._snd.sf_strerror(handle or sf._ffi.NULL)  # type: ignore[attr-defined]
    return str(sf._ffi.string(raw).decode("utf-8", "replace"))  # type: ignore[attr-defined]


def _os_reason_of(message: str) -> str | None:
    prefix = "System error : "
    return message[len(prefix) :].rstrip(".") if message.startswith(prefix) else None


def _probe_write(fd: int) -> str | None:
    """Why writing to `fd` fails, in the OS's words; None if it works.

    libsndfile's codecs (FLAC above all) report a failed write in their own
    terms ("problem with initialization of the flac decoder"): one byte
    appended and taken back asks the OS instead."""
    try:
        end = os.fstat(fd).st_size
        os.pwrite(fd, b"\0", end)
        os.ftruncate(fd, end)
    except OSError as exc:
        return os_reason(exc)
    return None


class _Track:
    """One libsndfile writer on a file descriptor we own."""

    def __init__(self, path: Path, fmt: str, rate: int, channels: int, overwrite: bool) -> None:
        self.path = path
        self.format = fmt
        self.fd = _open_fd(path, overwrite)
        container, subtype = FORMATS[fmt]
        try:
            self.file = sf.SoundFile(
                self.fd,
                "w",
                samplerate=rate,
                channels=channels,
                format=container,
                subtype=subtype,
                closefd=False,
            )
        except (sf.LibsndfileError, OSError, RuntimeError) as exc:
            message = _libsndfile_message(None)
            reason = _os_reason_of(message) or _probe_write(self.fd) or message or str(exc)
            self._discard()
            raise AudioFileError(f"cannot create {path}: {reason}") from exc
        self.frames = 0

    def write(self, block: np.ndarray) -> None:
        try:
            self.file.write(block)
        except (sf.LibsndfileError, OSError, RuntimeError) as exc:
            raise AudioFileError(self._failure("writing", exc)) from exc
        self.frames += len(block)

    def checkpoint(self) -> None:
        """Make the header describe what is on disk, then flush to the device."""
        if self.format == "wav":
            sf._snd.sf_command(self.file._file, _SFC_UPDATE_HEADER_NOW, sf._ffi.NULL, 0)  # type: ignore[attr-defined]
        elif self.format == "flac":
            self._set_flac_length(max(0, self.frames - _FLAC_PENDING_FRAMES))
        try:
            os.fsync(self.fd)
        except OSError as exc:
            if exc.errno not in _FSYNC_UNSUPPORTED:
                raise AudioFileError(self._failure("flushing", exc)) from exc

    def _set_flac_length(self, frames: int) -> None:
        # STREAMINFO follows "fLaC" and a 4-byte block header; its 36-bit
        # total-samples field starts in the low nibble of its byte 13.
        head = os.pread(self.fd, 26, 0)
        if len(head) < 26 or head[:4] != b"fLaC" or head[4] & 0x7F != 0:
            return
        field = bytes([(head[21] & 0xF0) | ((frames >> 32) & 0x0F)]) + (
            frames & 0xFFFFFFFF
        ).to_bytes(4, "big")
        os.pwrite(self.fd, field, 21)

    def close(self) -> None:
        try:
            self.file.close()
        except (sf.LibsndfileError, OSError, RuntimeError) as exc:
            raise AudioFileError(self._failure("finishing", exc)) from exc
        finally:
            self._close_fd()

    def abandon(self) -> None:
        """After a write error: close what can be closed, keep what was written."""
        with contextlib.suppress(sf.LibsndfileError, OSError, RuntimeError):
            self.file.close()
        self._close_fd()

    def _failure(self, doing: str, exc: BaseException) -> str:
        message = _libsndfile_message(getattr(self.file, "_file", None))
        reason = _os_reason_of(message) or _probe_write(self.fd) or message or os_reason(exc)
        return f"{doing} {self.path} failed: {reason}"

    def _close_fd(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def _discard(self) -> None:
        """Remove a file we created but could not start (never another file)."""
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.fstat(self.fd).st_mode) and os.fstat(self.fd).st_size == 0:
                os.unlink(self.path)
        self._close_fd()


#: fsync on pipes and some devices says it cannot; that is no write error.
_FSYNC_UNSUPPORTED = {errno.EINVAL, errno.EOPNOTSUPP}


class RecordingFile:
    """A recording's output: `write()` blocks, `checkpoint()` about once a
    second, `close()` at the end. Raises AudioFileError (the message names the
    file and the OS's reason)."""

    def __init__(
        self, path: Path, fmt: str, sample_rate: int, channels: int, *, overwrite: bool = False
    ) -> None:
        self.path = path
        self.format = fmt
        self._main = _Track(path, fmt, sample_rate, channels, overwrite)
        self._recovery: _Track | None = None
        if fmt == "ogg":
            try:
                self._recovery = _Track(
                    recovery_path(path), "flac", sample_rate, channels, overwrite=True
                )
            except AudioFileError:
                self._main.abandon()
                raise

    @property
    def frames(self) -> int:
        return self._main.frames

    def write(self, block: np.ndarray) -> None:
        if self._recovery is not None:
            self._recovery.write(block)
        self._main.write(block)

    def checkpoint(self) -> None:
        if self._recovery is not None:
            self._recovery.checkpoint()
        self._main.checkpoint()

    def close(self) -> None:
        """Finish the file. The OGG's recovery copy goes once the OGG is whole;
        if finishing the OGG fails, the copy stays and the error says so."""
        try:
            self._main.close()
        except AudioFileError as exc:
            if self._recovery is not None:
                self._recovery.abandon()
                raise AudioFileError(
                    f"{exc}; everything recorded is in {self._recovery.path} "
                    f"(`pypac recover {self.path}` makes the OGG file from it)"
                ) from exc
            raise
        if self._recovery is not None:
            self._recovery.abandon()
            with contextlib.suppress(OSError):
                os.unlink(self._recovery.path)

    def abandon(self) -> None:
        """After an error: keep what was written, close every descriptor."""
        if self._recovery is not None:
            self._recovery.abandon()
        self._main.abandon()

    @property
    def size(self) -> int:
        with contextlib.suppress(OSError):
            return self.path.stat().st_size
        return 0


def recover(path: Path) -> int:
    """Rebuild an OGG recording cut short (killed, power lost) from its
    recovery copy; returns the frames written. The copy is removed after."""
    copy = recovery_path(path)
    if not copy.exists():
        raise AudioFileError(f"nothing to recover for {path}: {copy} does not exist")
    try:
        source = sf.SoundFile(copy)
    except (sf.LibsndfileError, OSError) as exc:
        raise AudioFileError(f"cannot read {copy}: {exc}") from exc
    with source:
        out = _Track(path, "ogg", source.samplerate, source.channels, overwrite=True)
        try:
            for block in source.blocks(48000, dtype="float32", always_2d=True):
                out.write(block)
        except AudioFileError:
            out.abandon()
            raise
        out.close()
    os.unlink(copy)
    return out.frames
