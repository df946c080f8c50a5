"""Download views for zeues/reports/exports.py: /historial/<tag>/exportar.<fmt>[?tabla=uniones],
/historial/exportar/eventos.<fmt>."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from spools.models import Spool
from zeues.front.permissions import management_required
from zeues.reports import exports
from zeues.reports.history import spool_history

# A year and a bit: wider periods are more likely a typo than a wish.
MAX_DAYS = 400


class EventLogForm(forms.Form):
    """The event log export's period (YYYY-MM-DD, both days included) and optional filters."""

    desde = forms.DateField(label=_("Desde"), input_formats=["%Y-%m-%d"])
    hasta = forms.DateField(label=_("Hasta"), input_formats=["%Y-%m-%d"])
    nv = forms.CharField(label="NV", required=False, max_length=50)
    worker_id = forms.IntegerField(label=_("Trabajador (número)"), required=False, min_value=1)

    def clean(self) -> dict:
        data = super().clean() or {}
        desde, hasta = data.get("desde"), data.get("hasta")
        if desde and hasta and desde > hasta:
            raise forms.ValidationError(_("«Desde» es posterior a «Hasta»."))
        if desde and hasta and (hasta - desde).days > MAX_DAYS:
            raise forms.ValidationError(_("El período no puede superar %(n)s días.") % {"n": MAX_DAYS})
        return data


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# The tables of a spool's export (`?tabla=`): its sessions, and its joints when it has any.
SPOOL_TABLES = ("sesiones", "uniones")


@require_GET
@management_required
def spool_export(request: HttpRequest, tag: str, fmt: str) -> HttpResponseBase:
    """GET /historial/<tag>/exportar.csv|.xlsx[?tabla=sesiones|uniones]: the spool's history.

    A CSV holds one table (the sessions unless `tabla=uniones`): a second table under the first
    would break every program that reads the file by its header. The XLSX holds a sheet per
    table: «Sesiones», and «Uniones» for a spool tracked joint by joint (or the one asked for).
    """
    spool = Spool.objects.filter(tag_spool=tag.strip()).first()
    if spool is None:
        raise Http404(f"No existe el spool «{tag}».")
    tabla = request.GET.get("tabla", "")
    if tabla and tabla not in SPOOL_TABLES:
        raise Http404(f"No existe la tabla «{tabla}».")
    h = spool_history(spool)
    suffix = "-uniones" if tabla == "uniones" else ""
    name = f"historial-{_safe(spool.tag_spool)}{suffix}-{_stamp()}.{fmt}"
    sessions: exports.Sheet = ("Sesiones", exports.SESSION_COLUMNS, exports.session_rows(h))
    joints: exports.Sheet = ("Uniones", exports.JOINT_COLUMNS, exports.joint_rows(h))
    if fmt == "csv":
        _, header, rows = joints if tabla == "uniones" else sessions
        return exports.csv_response(request, exports.csv_lines(header, rows), filename=name)
    if tabla:
        sheets = [joints if tabla == "uniones" else sessions]
    else:
        sheets = [sessions, joints] if h.has_joints else [sessions]
    return exports.xlsx_response(request, exports.xlsx_book(sheets), filename=name)


@require_GET
@management_required
def event_log_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """GET /historial/exportar/eventos.csv|.xlsx?desde=&hasta=[&nv=&worker_id=]: the event log."""
    form = EventLogForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponseBadRequest(
            f"Parámetros inválidos: {errors}", content_type="text/plain; charset=utf-8"
        )
    d = form.cleaned_data
    where = exports.event_log_filter(desde=d["desde"], hasta=d["hasta"], nv=d["nv"], worker_id=d["worker_id"])
    name = f"eventos-{d['desde']:%Y%m%d}-{d['hasta']:%Y%m%d}.{fmt}"
    rows = exports.event_log_rows(where)
    if fmt == "csv":
        return exports.csv_response(request, exports.csv_lines(exports.EVENT_COLUMNS, rows), filename=name)
    file = exports.xlsx_file(exports.EVENT_COLUMNS, rows, sheet="Metadata")
    return exports.xlsx_response(request, file, filename=name)


def _safe(tag: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in tag)
