"""Imports only go down the floors of docs/architecture.md (tools/layers.py reads them from the code)."""

from pathlib import Path

from tools import layers


def test_no_import_goes_up_a_floor_or_sideways():
    assert layers.breaches() == []


def test_the_check_sees_imports_inside_functions_and_every_app():
    found = {(i.source, i.target) for i in layers.imports()}
    # apps.ready() imports its services inside a function; the pages import every workflow.
    assert ("zeues.front", "occupation") in found
    assert ("zeues.front", "metrologia") in found and ("zeues.front", "reparacion") in found
    assert {name for name, _ in layers.modules()} >= {
        "spools.models",
        "occupation.engine",
        "zeues.front.kiosk.views",
    }


def test_an_upward_or_sideways_import_is_a_breach():
    up = layers.Import(Path("spools/models.py"), 3, "spools", "occupation")
    sideways = layers.Import(Path("metrologia/services.py"), 9, "metrologia", "reparacion")
    down = layers.Import(Path("reparacion/services.py"), 9, "reparacion", "occupation")
    assert layers.breaches([up, sideways, down]) == [
        "spools/models.py:3: spools (floor 2) imports occupation (floor 3)",
        "metrologia/services.py:9: metrologia (floor 4) imports reparacion (floor 4)",
    ]


def test_every_module_of_ours_has_a_floor():
    assert [name for name, _ in layers.modules() if layers.room_of(name) is None] == []
