"""The mirror under failure: Google down, a 429 storm, columns moving, a crash mid-cycle."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from zeues.lib.headers import column_letter
from zeues.mirror import sync as sync_module
from zeues.mirror.sync import SheetSync
from zeues.mirror.tests.conftest import (
    SHEET_ID,
    assert_metadata_holds_every_event_once,
    assert_only_zeues_cells_changed,
    assert_sheet_matches_database,
    run_actions,
    sheet_rows,
    sync_until_idle,
    touched_tags,
)
from zeues.models import SheetSpoolChange, SheetSyncState

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def background_sync():
    """Start the worker's loop in a thread (a cycle every 50 ms, as `sync_sheets` runs it); always stopped."""
    stop, threads = threading.Event(), []

    def loop() -> None:
        try:
            SheetSync().run_forever(stop, interval=0.05)
        finally:
            connection.close()

    def halt() -> None:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)

    def start():
        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        threads.append(thread)
        return halt

    yield start
    halt()


def wait_for(condition, timeout: float = 10.0) -> None:
    """Poll until `condition()` is true (fails the test after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def assert_converged(emulator, before) -> None:
    touched = touched_tags()
    _, after = sheet_rows(emulator)
    assert_sheet_matches_database(emulator, touched)
    assert_only_zeues_cells_changed(before, after, touched)
    assert_metadata_holds_every_event_once(emulator)
    assert SheetSpoolChange.objects.count() == 0


def test_sheet_down_for_the_first_half_converges_and_loses_nothing(emulator, sheet, background_sync):
    _, before = sheet_rows(emulator)
    emulator.set_down(True)
    halt = background_sync()
    run_actions(sheet, 100)
    wait_for(lambda: "503" in SheetSyncState.load().last_error)
    assert emulator.count(ok=True) == 0 and SheetSyncState.load().last_success_at is None
    emulator.set_down(False)
    run_actions(sheet, 100, seed=7)
    halt()
    sync_until_idle()
    assert_converged(emulator, before)
    state = SheetSyncState.load()
    assert state.last_success_at > state.last_error_at


def test_a_429_storm_is_retried_a_bounded_number_of_times_then_converges(emulator, sheet):
    _, before = sheet_rows(emulator)
    run_actions(sheet, 80)
    emulator.fail_next(12, 429, retry_after=0.05)
    worker = SheetSync()
    first = worker.run_once()
    # One request, four retries (ZEUES_SHEETS_RETRIES), each after at least Retry-After.
    assert "429" in first.error and first.requests == 5
    arrivals = [r.at for r in emulator.requests]
    assert all(b - a >= 0.05 for a, b in zip(arrivals, arrivals[1:], strict=False))
    second = worker.run_once()
    assert second.error and second.requests == 5
    sync_until_idle(worker)
    assert emulator.count(ok=False) == 12
    assert_converged(emulator, before)


def test_a_tight_per_minute_quota_only_delays_the_mirror(emulator, sheet):
    _, before = sheet_rows(emulator)
    run_actions(sheet, 60)
    emulator.set_quota(2, window=0.3)
    worker = SheetSync()
    results = []
    while not (results and results[-1].idle) and len(results) < 40:
        results.append(worker.run_once())
    assert any("429" in r.error for r in results) and results[-1].idle
    emulator.reset_faults()
    assert_converged(emulator, before)


def _insert_column(emulator, before_header: str, header: str) -> None:
    """A person inserts a column (with a header and some values) left of `before_header`."""
    grid = emulator.values(SHEET_ID, "Operaciones")
    index = grid[0].index(before_header) + 1
    emulator.insert_columns(SHEET_ID, "Operaciones", index, 1)
    letter = column_letter(index - 1)
    emulator.set_values(SHEET_ID, "Operaciones", f"{letter}1:{letter}4", [[header], ["x"], ["y"], ["z"]])


def test_columns_inserted_between_cycles_still_get_the_right_cells(emulator, sheet):
    run_actions(sheet, 60)
    sync_until_idle()
    _insert_column(emulator, "id", "Nueva_A")
    _insert_column(emulator, "Armador", "Comentario")
    _insert_column(emulator, "Estado_Detalle", "Otra")
    _, before = sheet_rows(emulator)
    run_actions(sheet, 80, seed=8)
    sync_until_idle()
    assert_converged(emulator, before)


def test_a_column_inserted_during_a_cycle_is_detected_and_our_cells_rewritten(emulator, sheet):
    run_actions(sheet, 60)

    class HumanInTheMiddle(SheetSync):
        inserted = False

        def write_cells(self, data):
            if not self.inserted:  # between our read of the headers and our write
                self.inserted = True
                _insert_column(emulator, "id", "Nueva_A")
            return super().write_cells(data)

    sync_until_idle(HumanInTheMiddle())
    assert_sheet_matches_database(emulator, touched_tags())


def test_crash_after_the_append_before_bookkeeping_never_duplicates(emulator, sheet, monkeypatch):
    _, before = sheet_rows(emulator)
    run_actions(sheet, 80)

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed after Google confirmed the append")

    monkeypatch.setattr(sync_module, "confirm_append", killed)
    with pytest.raises(RuntimeError):
        SheetSync().run_once()
    assert SheetSyncState.load().append_pending_upto is not None
    assert_metadata_holds_every_event_once(emulator)  # Google has them all, once
    monkeypatch.undo()
    emulator.clear_log()
    sync_until_idle(SheetSync())  # a fresh process
    assert emulator.count("values.append") == 0
    tail = [
        r
        for r in emulator.requests
        if r.kind == "values.batchGet" and any("'Metadata'!A" in x for x in r.ranges)
    ]
    assert tail, "the restarted worker must check Metadata's ID tail"
    assert_converged(emulator, before)
    assert SheetSyncState.load().append_pending_upto is None


def test_crash_after_the_cells_write_before_bookkeeping_rewrites_harmlessly(emulator, sheet, monkeypatch):
    _, before = sheet_rows(emulator)
    run_actions(sheet, 80)

    def killed(*args, **kwargs):
        raise RuntimeError("worker killed after Google confirmed the batchUpdate")

    monkeypatch.setattr(sync_module, "confirm_cells", killed)
    with pytest.raises(RuntimeError):
        SheetSync().run_once()
    assert SheetSpoolChange.objects.count() > 0  # nothing marked synced
    monkeypatch.undo()
    sync_until_idle(SheetSync())
    assert_converged(emulator, before)


def test_an_append_google_may_have_applied_is_checked_before_appending_again(emulator, sheet):
    _, before = sheet_rows(emulator)
    run_actions(sheet, 50)
    emulator.fail_next(1, 503, kind="values.append")
    worker = SheetSync()
    result = worker.run_once()
    # An append is never resent blindly: a 5xx may come after Google applied it.
    assert "503" in result.error and emulator.count("values.append") == 1
    sync_until_idle(worker)
    assert_converged(emulator, before)
