"""The peer's clock: what ``lastModifiedDateTime`` and subscription expiry
are measured with.

Business Central stamps every write with the time of the server that made
it, in milliseconds. Tests need to bend that time: to give several rows the
same timestamp (``freeze``), to let three days pass so that a webhook
subscription expires (``advance``), or to put the server's clock behind or
ahead of the client's (``advance`` with a negative or positive amount).
"""

from __future__ import annotations

import datetime as _dt
import threading

UTC = _dt.timezone.utc


def to_milliseconds(moment: _dt.datetime) -> _dt.datetime:
    """BC keeps three fraction digits."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def format_timestamp(moment: _dt.datetime) -> str:
    """``2025-01-02T08:00:00.123Z``, as BC writes timestamps."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


class Clock:
    """Wall-clock time plus an offset, optionally frozen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = _dt.timedelta()
        self._frozen: _dt.datetime | None = None

    def now(self) -> _dt.datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return to_milliseconds(_dt.datetime.now(UTC) + self._offset)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += _dt.timedelta(seconds=seconds)
            if self._frozen is not None:
                self._frozen = to_milliseconds(self._frozen + _dt.timedelta(seconds=seconds))

    def freeze(self, frozen: bool) -> None:
        with self._lock:
            if frozen and self._frozen is None:
                self._frozen = to_milliseconds(_dt.datetime.now(UTC) + self._offset)
            elif not frozen:
                self._frozen = None

    def describe(self) -> dict:
        now = self.now()
        with self._lock:
            return {
                "now": format_timestamp(now),
                "offsetSeconds": self._offset.total_seconds(),
                "frozen": self._frozen is not None,
            }
