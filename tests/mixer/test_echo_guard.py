"""The one echo guard of the mixer's controls (Qt-free)."""

from __future__ import annotations

from pypac.mixer.echo_guard import EchoGuard, shown_volume
from pypac.mixer.strip_order import StripOrder
from pypac.mixer.volume_text import balance_of, balance_text, channels_for_balance


def test_reports_older_than_a_request_are_echoes_until_they_agree_or_time_runs_out():
    guard: EchoGuard[float] = EchoGuard(hold_s=0.4)
    guard.requested(0.5, now=10.0)
    assert guard.filter(0.8, same=False, now=10.1) == 0.5  # an older echo: keep the request
    assert guard.filter(0.5, same=True, now=10.2) == 0.5  # it arrived: the guard lets go
    assert guard.held(now=10.2) is None
    guard.requested(0.3, now=20.0)
    assert guard.filter(0.9, same=False, now=20.5) == 0.9  # too late to be an echo: real
    assert shown_volume(EchoGuard(), 0.7) == 0.7


def test_balance_arithmetic():
    assert balance_of((1.0, 0.3)) == -0.7
    assert channels_for_balance(1.0, -0.7) == [1.0, 0.30000000000000004]
    assert channels_for_balance(0.5, 0.5) == [0.25, 0.5]
    assert balance_text((1.0, 0.3)) == "L 100 · R 30"
    assert balance_text((0.8, 0.8)) == ""


def test_an_app_keeps_its_place_in_the_row():
    order = StripOrder()
    assert order.insert_index("a", []) == 0
    assert order.insert_index("b", ["a"]) == 1
    assert order.insert_index("c", ["a", "b"]) == 2
    assert order.insert_index("b", ["a", "c"]) == 1  # b came back: between a and c again
