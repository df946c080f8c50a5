"""The manager's KPI page (/gerencia/) with inline SVG charts, and CSV export of each table."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from spools.models import Operacion
from zeues.front.charts import PD_PER_DAY, cycle_chart, daily_bars, hours_chart, share_bars, top_bars
from zeues.front.permissions import management_required
from zeues.lib.dn import format_dn
from zeues.lib.fields import StrictIntegerField
from zeues.reports import exports
from zeues.reports import kpis as k
from zeues.reports.history import format_duration

DEFAULT_DAYS = 7
MAX_DAYS = 366


class KpiFilterForm(forms.Form):
    """The period (default: the last 7 days, today included) and the optional filters."""

    desde = forms.DateField(required=False, label=_("Desde"), widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(required=False, label=_("Hasta"), widget=forms.DateInput(attrs={"type": "date"}))
    nv = forms.CharField(required=False, max_length=50, label="NV")
    ot = forms.CharField(required=False, max_length=50, label="OT")
    trabajador = StrictIntegerField(required=False, min_value=1, label=_("Trabajador (ID)"))

    def clean(self) -> dict[str, Any]:
        """Fill the default period; refuse an inverted or over-long one."""
        data = super().clean() or {}
        today = timezone.localdate()
        data["hasta"] = data.get("hasta") or today
        data["desde"] = data.get("desde") or data["hasta"] - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if data["desde"] > data["hasta"]:
            raise forms.ValidationError(_("«Desde» debe ser anterior a «Hasta»."))
        if (data["hasta"] - data["desde"]).days >= MAX_DAYS:
            raise forms.ValidationError(_("El período no puede superar un año."))
        return data

    def filtros(self) -> k.Filtros:
        """The validated filters."""
        d = self.cleaned_data
        return k.Filtros(d["desde"], d["hasta"], d["nv"].strip(), d["ot"].strip(), d["trabajador"])


def _default_filtros() -> k.Filtros:
    form = KpiFilterForm({})
    form.is_valid()
    return form.filtros()


@require_GET
@management_required
def overview(request: HttpRequest) -> HttpResponseBase:
    """GET /gerencia/: every KPI for the period; `?formato=csv|xlsx&tabla=<name>` downloads one table.

    `?formato=xlsx&tabla=todas` downloads every table of the page, one sheet each.
    """
    form = KpiFilterForm(request.GET)
    f = form.filtros() if form.is_valid() else _default_filtros()
    formato = request.GET.get("formato", "")
    if formato in ("csv", "xlsx"):
        return export_response(request, f, formato, request.GET.get("tabla", ""))
    data = k.kpis(f)
    context = {
        "form": form,
        "k": data,
        "query": _query_without_export(request),
        "chart_days": daily_bars(data.completados),
        "chart_cycle": cycle_chart(data.tiempos),
        "chart_hours": hours_chart(data.horas),
        "tiempos": [
            {**r, "p50_h": format_duration(r["p50"]), "p90_h": format_duration(r["p90"])}
            for r in data.tiempos
        ],
        **joint_context(data.uniones),
    }
    return render(request, "gerencia/kpis.html", context)


PD_SECTIONS = (
    ("arm", _("PD ARM por armador"), "pd_arm", "PD ARM por armador"),
    ("sold", _("PD SOLD por soldador"), "pd_sold", "PD SOLD por soldador"),
)


def _pd(value: Decimal | float | None) -> str:
    """PD as the shop writes it: `13,75`, `4`; an empty cell for None."""
    if value is None:
        return ""
    return format_dn(value if isinstance(value, Decimal) else Decimal(str(value)))


def joint_context(u: k.Uniones) -> dict[str, Any]:
    """The PD sections' figures as text (`13,75`: the template engine would print `13,750`) and
    their charts."""

    def worker(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "pd_txt": _pd(r["pd"]),
            "pd_dia_txt": _pd(r["pd_dia"]),
            "por_dia_txt": [_pd(v) for v in r["por_dia"]],
        }

    sections = []
    for attr, title, tabla, nombre in PD_SECTIONS:
        pd: k.PdOperacion = getattr(u, attr)
        sections.append(
            {"op": pd.operacion, "titulo": title, "tabla": tabla, "nombre": nombre, "uniones": pd.uniones,
             "pd_txt": _pd(pd.pd), "dias": pd.dias, "filas": [worker(r) for r in pd.por_trabajador],
             "chart": top_bars(pd.por_trabajador, "pd", _pd, lambda r: r["nombre"]), "testid": f"chart-{tabla}"}
        )  # fmt: skip
    return {
        "pd": sections,
        "pd_pivot_days": k.PIVOT_DAYS,
        "uniones_dia": [
            {**r, "arm_pd_txt": _pd(r["arm_pd"]), "sold_pd_txt": _pd(r["sold_pd"])} for r in u.por_dia
        ],
        "chart_pd_days": daily_bars(u.por_dia, PD_PER_DAY, _pd),
        "chart_share": share_bars(u.reparto),
    }


def _query_without_export(request: HttpRequest) -> str:
    """The page's filters as a query string, for the download links (no formato/tabla of its own)."""
    q = request.GET.copy()
    for key in ("formato", "tabla"):
        q.pop(key, None)
    return q.urlencode()


def _fmt(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # a number cell in the XLSX, `13.75` in the CSV
    return "" if value is None else value


def _rows(headers: list[str], keys: list[str]) -> Callable[[list[dict[str, Any]]], Iterator[list[Any]]]:
    def rows(data: list[dict[str, Any]]) -> Iterator[list[Any]]:
        yield headers
        for r in data:
            yield [_fmt(r.get(key)) for key in keys]

    return rows


def _wip_rows(f: k.Filtros) -> Iterator[list[Any]]:
    yield ["estado", "spools"]
    yield from ([name, n] for name, n in k.wip(f).items())


def _stale_rows(f: k.Filtros) -> Iterator[list[Any]]:
    yield ["tag_spool", "nv", "ot", "operacion", "worker_id", "trabajador", "desde"]
    for s in k.stale_occupations(f):
        since = timezone.localtime(s.fecha_ocupacion).isoformat() if s.fecha_ocupacion else ""
        worker = s.ocupado_por
        yield [
            s.tag_spool,
            s.nv,
            s.ot,
            s.operacion_actual,
            s.ocupado_por_id,
            worker.token if worker else "",
            since,
        ]


YIELD = _rows(
    [
        "worker_id",
        "trabajador",
        "inspecciones",
        "rechazos",
        "tasa_rechazo_pct",
        "primeras",
        "aprobadas_primera",
        "fpy_pct",
    ],
    [
        "worker_id",
        "nombre",
        "inspecciones",
        "rechazos",
        "tasa_rechazo",
        "primeras",
        "aprobadas_primera",
        "fpy",
    ],
)
PD_WORKER = _rows(
    ["worker_id", "trabajador", "uniones", "pd", "dias", "pd_por_dia"],
    ["worker_id", "nombre", "uniones", "pd", "dias", "pd_dia"],
)


def _pd_day_rows(f: k.Filtros) -> Iterator[list[Any]]:
    yield ["fecha", "operacion", "worker_id", "trabajador", "uniones", "pd"]
    for op in k.JOINT_OPERATIONS:
        for r in k.pd_rows(f, op):
            yield [r["fecha"], str(op), _fmt(r["worker_id"]), r["nombre"], r["uniones"], _fmt(r["pd"])]


def _joints_per_day(f: k.Filtros) -> list[dict[str, Any]]:
    return k.joints_per_day(
        f, k.pd_per_worker_and_day(f, Operacion.ARM), k.pd_per_worker_and_day(f, Operacion.SOLD)
    )


TABLES: dict[str, Callable[[k.Filtros], Iterator[list[Any]]]] = {
    "completados": lambda f: _rows(
        ["fecha", "ARM", "SOLD", "METROLOGIA"], ["fecha", "ARM", "SOLD", "METROLOGIA"]
    )(k.completed_per_day(f)),
    "tiempos": lambda f: _rows(["etapa", "spools", "mediana_s", "p90_s"], ["etapa", "n", "p50", "p90"])(
        k.cycle_and_queue_times(f)
    ),
    "wip": _wip_rows,
    "fpy_armador": lambda f: YIELD(k.first_pass_yield(f, "armador")),
    "fpy_soldador": lambda f: YIELD(k.first_pass_yield(f, "soldador")),
    "intentos": lambda f: _rows(
        ["intento", "inspecciones", "aprobados", "rechazados", "tasa_rechazo_pct"],
        ["intento", "inspecciones", "aprobados", "rechazados", "tasa_rechazo"],
    )(k.yield_per_attempt(f)),
    "antiguas": _stale_rows,
    "horas": lambda f: _rows(
        ["worker_id", "trabajador", "operacion", "sesiones", "horas"],
        ["worker_id", "nombre", "operacion", "sesiones", "horas"],
    )(k.hours_by_worker(f)),
    "pd_arm": lambda f: PD_WORKER(k.pd_per_worker_and_day(f, Operacion.ARM).por_trabajador),
    "pd_sold": lambda f: PD_WORKER(k.pd_per_worker_and_day(f, Operacion.SOLD).por_trabajador),
    "pd_dia": _pd_day_rows,
    "uniones_dia": lambda f: _rows(
        ["fecha", "uniones_arm", "pd_arm", "uniones_sold", "pd_sold"],
        ["fecha", "arm_uniones", "arm_pd", "sold_uniones", "sold_pd"],
    )(_joints_per_day(f)),
    "reparto": lambda f: _rows(
        ["operacion", "completados", "con_uniones", "sin_uniones", "con_uniones_pct", "sin_uniones_pct"],
        ["operacion", "completados", "con_uniones", "sin_uniones", "pct_con", "pct_sin"],
    )(k.joint_share(f)),
}


SHEET_NAMES = {
    "completados": "Completados por día",
    "tiempos": "Tiempos de ciclo y espera",
    "wip": "Trabajo en curso",
    "fpy_armador": "Calidad por armador",
    "fpy_soldador": "Calidad por soldador",
    "intentos": "Calidad por intento",
    "antiguas": "Ocupaciones antiguas",
    "horas": "Horas por trabajador",
    "pd_arm": "PD ARM por armador",
    "pd_sold": "PD SOLD por soldador",
    "pd_dia": "PD por día y trabajador",
    "uniones_dia": "Uniones por día",
    "reparto": "Uniones y spools enteros",
}
ALL = "todas"


def _table(f: k.Filtros, tabla: str) -> tuple[list[str], Iterator[list[Any]]]:
    rows = TABLES[tabla](f)
    return next(rows), rows


def export_response(request: HttpRequest, f: k.Filtros, formato: str, tabla: str) -> HttpResponseBase:
    """One KPI table as CSV or XLSX, or every table as one XLSX workbook (`tabla=todas`).

    The CSV is streamed (under uvicorn too); the XLSX is written row by row into a temporary file
    that is then streamed. The file name carries the table and the period.
    """
    period = f"{f.desde:%Y%m%d}-{f.hasta:%Y%m%d}"
    if formato == "xlsx" and tabla in ("", ALL):
        sheets = ((SHEET_NAMES[t], *_table(f, t)) for t in TABLES)
        return exports.xlsx_response(request, exports.xlsx_book(sheets), filename=f"zeues-kpis-{period}.xlsx")
    if tabla not in TABLES:
        raise Http404(f"No existe la tabla «{tabla}».")
    header, rows = _table(f, tabla)
    name = f"zeues-{tabla}-{period}.{formato}"
    if formato == "csv":
        return exports.csv_response(request, exports.csv_lines(header, rows), filename=name)
    return exports.xlsx_response(
        request, exports.xlsx_file(header, rows, sheet=SHEET_NAMES[tabla]), filename=name
    )
