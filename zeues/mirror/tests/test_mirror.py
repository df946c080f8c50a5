"""The mirror end to end: concurrent actions through the services, then the worker over HTTP."""

from __future__ import annotations

import pytest

from zeues.mirror.tests.conftest import (
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


def test_thirty_workers_two_hundred_actions_mirror_exactly(emulator, sheet):
    _, before = sheet_rows(emulator)
    succeeded = run_actions(sheet, 200)
    assert succeeded > 100
    emulator.clear_log()
    sync_until_idle()
    touched = touched_tags()
    _, after = sheet_rows(emulator)
    assert_sheet_matches_database(emulator, touched)
    assert_only_zeues_cells_changed(before, after, touched)
    assert_metadata_holds_every_event_once(emulator)
    assert SheetSpoolChange.objects.count() == 0
    assert emulator.count("values.batchUpdate") == 1 and emulator.count("values.append") == 1
    state = SheetSyncState.load()
    assert state.last_success_at is not None and not state.paused_reason
