"""The refusal-test helper of the root conftest sees every write an action makes."""

import pytest

from occupation import services
from occupation.exceptions import SpoolOcupado


def test_nothing_written_fails_when_the_block_writes(make_worker, make_spool, nothing_written):
    w = make_worker()
    s = make_spool()
    with pytest.raises(AssertionError, match="wrote something"), nothing_written():
        services.spool_take(spool=s, worker=w, operacion="ARM")


def test_nothing_written_passes_a_refused_action(make_worker, make_spool, nothing_written):
    w = make_worker()
    s = make_spool()
    other = make_worker()
    services.spool_take(spool=s, worker=w, operacion="ARM")
    with nothing_written(), pytest.raises(SpoolOcupado):
        services.spool_take(spool=s, worker=other, operacion="ARM")
