"""The published paths: tests name URLs with reverse(); this one pins every name to its path.

The paths are a contract (tablets, the v3 scripts of the system ZEUES replaces, docs/api.md), so a
renamed route fails here even though every other test follows the name.
"""

import pytest
from django.urls import resolve, reverse

PATHS = [
    ("index", {}, "/"),
    ("healthz", {}, "/healthz"),
    ("kiosk:start", {}, "/kiosko/"),
    ("kiosk:scan", {}, "/kiosko/escanear/"),
    ("kiosk:spool", {"tag": "MK-1"}, "/kiosko/spool/MK-1/"),
    ("kiosk:my-spools", {}, "/kiosko/mis-spools/"),
    ("kiosk:my-record", {}, "/kiosko/mi-registro/"),
    ("kiosk:call", {"tag": "MK-1"}, "/kiosko/llamar/MK-1/"),
    ("kiosk:result", {"key": "a" * 32}, "/kiosko/resultado/" + "a" * 32 + "/"),
    ("kiosk:identify", {"op": "ARM"}, "/kiosko/arm/identificar/"),
    ("kiosk:pin", {"op": "SOLD"}, "/kiosko/sold/pin/"),
    ("kiosk:list", {"op": "METROLOGIA"}, "/kiosko/metrologia/"),
    ("kiosk:confirm", {"op": "REPARACION"}, "/kiosko/reparacion/confirmar/"),
    ("kiosk:row", {"op": "ARM", "tag": "MK-1"}, "/kiosko/arm/fila/MK-1/"),
    ("kiosk:execute", {"op": "TODAS"}, "/kiosko/todas/ejecutar/"),
    ("board", {}, "/tablero/"),
    ("alerts", {}, "/alertas/"),
    ("labels", {}, "/spools/etiquetas/"),
    ("label", {"tag": "MK-1"}, "/spools/MK-1/etiqueta"),
    ("history-search", {}, "/historial/"),
    ("history", {"tag": "MK-1"}, "/historial/MK-1/"),
    ("export-events", {"fmt": "csv"}, "/historial/exportar/eventos.csv"),
    ("export-spool", {"tag": "MK-1", "fmt": "xlsx"}, "/historial/MK-1/exportar.xlsx"),
    ("kpis", {}, "/gerencia/"),
    ("login", {}, "/login/"),
    ("logout", {}, "/logout/"),
    ("occupation:tomar", {}, "/api/occupation/tomar"),
    ("occupation:pausar", {}, "/api/occupation/pausar"),
    ("occupation:completar", {}, "/api/occupation/completar"),
    ("occupation:batch-tomar", {}, "/api/occupation/batch-tomar"),
    ("occupation:batch-pausar", {}, "/api/occupation/batch-pausar"),
    ("occupation:batch-completar", {}, "/api/occupation/batch-completar"),
    ("metrologia:completar", {}, "/api/metrologia/completar"),
    ("metrologia:batch-completar", {}, "/api/metrologia/batch-completar"),
    ("reparacion:tomar", {}, "/api/reparacion/tomar"),
    ("reparacion:pausar", {}, "/api/reparacion/pausar"),
    ("reparacion:completar", {}, "/api/reparacion/completar"),
    ("reparacion:cancelar", {}, "/api/reparacion/cancelar"),
    ("v3-tomar-reparacion", {}, "/api/tomar-reparacion"),
    ("v3-pausar-reparacion", {}, "/api/pausar-reparacion"),
    ("v3-completar-reparacion", {}, "/api/completar-reparacion"),
    ("v3-cancelar-reparacion", {}, "/api/cancelar-reparacion"),
    ("reparacion-lista", {}, "/api/spools/reparacion"),
    ("supervisor-desbloquear", {}, "/api/supervisor/desbloquear"),
    ("supervisor-liberar", {}, "/api/supervisor/liberar"),
    ("supervisor-atender", {}, "/api/supervisor/atender"),
    ("alertas", {}, "/api/alertas"),
    ("alertas-llamar", {}, "/api/alertas/llamar"),
    ("spools:defectos", {}, "/api/defectos"),
    ("rechazo-foto", {"tag": "MK-1"}, "/kiosko/foto-rechazo/MK-1/"),
    ("spools-iniciar", {}, "/api/spools/iniciar"),
    ("spools-ocupados", {}, "/api/spools/ocupados"),
    ("spools:workers", {}, "/api/workers"),
    ("spools:detail", {"tag": "MK-1"}, "/api/spools/MK-1"),
    ("health", {}, "/api/health"),
    ("dashboard-occupied", {}, "/api/dashboard/occupied"),
    ("sse-stream", {}, "/api/sse/stream"),
    ("api-history", {"tag": "MK-1"}, "/api/history/MK-1"),
    ("api-not-found", {"rest": "nope"}, "/api/nope"),
]


@pytest.mark.parametrize(("name", "kwargs", "path"), PATHS, ids=[p[0] for p in PATHS])
def test_each_name_is_its_published_path_and_back(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert match.view_name == name


def test_the_spool_routes_are_not_swallowed_by_the_spool_detail():
    assert resolve("/api/spools/iniciar").view_name == "spools-iniciar"
    assert resolve("/api/spools/reparacion").view_name == "reparacion-lista"
    assert resolve("/historial/exportar/eventos.xlsx").view_name == "export-events"
