"""The spool history pages: search (/historial/) and a spool's timeline (/historial/<tag>/).

The page says every code in words (zeues/front/words.py): `Completó el ARM`, `REPARACIÓN`,
`Supervisor desbloqueó el spool`. The JSON API (/api/history) and the CSV/XLSX exports keep the
raw codes: they are for programs and the sheet.
"""

from __future__ import annotations

import datetime
from html import escape

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spools import joints as spool_joints
from spools.models import Spool, TipoUnion
from zeues.front import words
from zeues.front.permissions import management_required
from zeues.front.timeline import timeline as draw_timeline
from zeues.lib.dn import format_dn
from zeues.reports.history import SIN_CIERRE, JointRow, JointWork, Note, Session, spool_history

SEARCH_LIMIT = 100


@require_GET
@management_required
def search(request: HttpRequest) -> HttpResponse:
    """GET /historial/?q=: spools whose TAG contains q, or whose NV or OT is q."""
    q = request.GET.get("q", "").strip()
    results: list[Spool] = []
    if q:
        match = Q(tag_spool__icontains=q) | Q(nv__iexact=q) | Q(ot__iexact=q)
        # The state in words names the holder: joined here, not one query per row.
        found = Spool.objects.filter(match).select_related("ocupado_por")
        results = list(found.order_by("tag_spool")[: SEARCH_LIMIT + 1])
    context = {"q": q, "results": results[:SEARCH_LIMIT], "more": len(results) > SEARCH_LIMIT}
    return render(request, "history/search.html", context)


@require_GET
@management_required
def timeline(request: HttpRequest, tag: str) -> HttpResponse:
    """GET /historial/<tag>/: the timeline, then the totals, sessions, metrología and supervisor acts."""
    spool = Spool.objects.filter(tag_spool=tag.strip()).select_related("ocupado_por").first()
    if spool is None:
        raise Http404(f"No existe el spool «{tag}».")
    h = spool_history(spool)
    context = {
        "h": h,
        "estado": words.estado(spool),
        "progreso": spool_joints.label(spool),
        "pd_arm": format_dn(spool.pulgadas_arm),
        "pd_sold": format_dn(spool.pulgadas_sold),
        "timeline": draw_timeline(h),
        "session_rows": session_rows_html(h.sessions, joints=h.has_joints),
        "joint_rows": joint_rows_html(h.joints),
        "metrologia_rows": metrologia_rows_html(h.metrologia),
        "supervisor_rows": supervisor_rows_html(h.supervisor, h.alerts),
        "orphans": [
            (n, words.evento(n.event.evento_tipo), words.operacion(n.event.operacion)) for n in h.orphans
        ],
    }
    return render(request, "history/history.html", context)


def _text(d: datetime.datetime) -> str:
    # Formatted by hand: the history's times are already in the shop's zone (spool_events), and
    # this runs ~1,000 times on a long-lived spool's page, where Django's `date` filter cost ~20 µs
    # a call and strftime ~3 µs (bench/history.py).
    return f"{d.day:02d}-{d.month:02d}-{d.year} {d.hour:02d}:{d.minute:02d}:{d.second:02d}"


def _time(value: datetime.datetime) -> str:
    return f'<time datetime="{value.isoformat()}">{_text(value)}</time>'


def _time_two_lines(value: datetime.datetime) -> str:
    # The joints' table has four times a row: the date and the hour each keep together, so a
    # narrow column breaks between them and never inside a date.
    d = value
    return (
        f'<time datetime="{d.isoformat()}"><span>{d.day:02d}-{d.month:02d}-{d.year}</span> '
        f"<span>{d.hour:02d}:{d.minute:02d}:{d.second:02d}</span></time>"
    )


def _tr(cells: list[str], attrs: str = "", tail: str = "") -> str:
    return f"<tr{attrs}><td>" + "</td><td>".join(cells) + f"</td>{tail}</tr>"


def session_rows_html(sessions: list[Session], *, joints: bool = False) -> SafeString:
    """The sessions table's rows, built in Python: the page's hot loop.

    With 400 sessions the template engine spent ~25 ms resolving and escaping 2,400 variables;
    here every text cell goes through `escape` (the standard library's, which Django's wraps)
    and the markup is fixed. With `joints` (a spool tracked joint by joint) a last cell says
    which joints the session recorded and their PD.
    """
    en_curso_label, sin_cierre = escape(_("en curso")), escape(_("sin cierre registrado"))
    workers: dict[tuple[str, str], str] = {}
    ops: dict[str, str] = {}
    closes: dict[str, str] = {SIN_CIERRE: f'<span class="flag">{sin_cierre}</span>'}
    rows = []
    for s in sessions:
        key = (s.worker_token, s.worker_nombre)
        worker = workers.get(key)
        if worker is None:
            worker = workers[key] = escape(f"{s.worker_token} {s.worker_nombre}")
        if s.en_curso:
            end = f"<strong>{en_curso_label}</strong>"
            duration = f'<time data-since="{s.start.isoformat()}">{s.duration}</time>'
        else:
            end = _time(s.end) if s.end else "—"
            duration = s.duration  # digits, spaces, "d" and colons only (format_duration)
        op = ops.get(s.operacion)
        if op is None:
            op = ops[s.operacion] = escape(words.operacion(s.operacion))
        cierre = closes.get(s.cierre)
        if cierre is None:
            cierre = closes[s.cierre] = escape(words.evento(s.cierre))
        cells = [worker, op, _time(s.start), end, duration, cierre]
        # With joints, one more cell with its class (the width it keeps on a tablet).
        tail = f'<td class="joints-cell">{escape(s.joints_text or "—")}</td>' if joints else ""
        rows.append(_tr(cells, ' class="stale"' if s.en_curso else "", tail))
    return mark_safe("\n".join(rows))  # noqa: S308 - every variable part is escaped above


def metrologia_rows_html(notes: list[Note]) -> SafeString:
    """The metrología table's rows (one per inspection), built like the sessions'."""
    blocked = f' <span class="flag">{escape(_("→ bloqueó el spool"))}</span>'
    rows = []
    for m in notes:
        resultado = escape(m.resultado) + (blocked if m.bloqueo else "")
        ciclo = "—" if m.ciclo is None else str(m.ciclo)
        cells = [escape(m.when), escape(m.event.worker_token), resultado, escape(m.defecto or "—"), ciclo]
        rows.append(_tr(cells))
    return mark_safe("\n".join(rows))  # noqa: S308 - every variable part is escaped above


def supervisor_rows_html(notes: list[Note], alerts: list[Note] | None = None) -> SafeString:
    """The supervisor acts' rows and the calls to a supervisor, in the order they happened.

    Built like the sessions'. An act says its operation ("Supervisor liberó la ocupación · SOLD");
    a call's "Motivo" is the caller's message, an answer's the supervisor's reply.
    """
    rows = []
    for a in sorted([*notes, *alerts], key=lambda n: n.event.seq) if alerts else notes:
        act = words.evento(a.event.evento_tipo, a.event.details)
        if a.event.operacion:
            act += f" · {words.operacion(a.event.operacion)}"
        if a.cambio:
            act += f" ({a.cambio})"
        cells = [
            escape(a.when),
            escape(act),
            escape(a.supervisor or "—"),
            escape(a.event.worker_token or "—"),
        ]
        rows.append(_tr([*cells, escape(a.motivo or "—")]))
    return mark_safe("\n".join(rows))  # noqa: S308 - every variable part is escaped above


def _work_cells(work: JointWork | None, pending: str) -> str:
    """A joint's four cells of one operation (worker, start, end, duration), or one that says why not."""
    if work is None:
        return f'<td colspan="4" class="pending">{escape(pending)}</td>'
    who = escape(f"{work.worker_token} {work.worker_nombre}".strip() or "—")
    start = _time_two_lines(work.inicio) if work.inicio else "—"
    end = _time_two_lines(work.fin)
    return f'<td class="who">{who}</td><td>{start}</td><td>{end}</td><td class="dur">{work.duration}</td>'


def _ndt(j: JointRow) -> str:
    if not j.has_ndt:
        return "—"
    fecha = j.ndt_fecha.strftime("%d-%m-%Y") if j.ndt_fecha else ""
    return escape(" · ".join(p for p in (j.ndt_metodo, j.ndt_informe, fecha, j.ndt_resultado) if p))


def joint_rows_html(joints: list[JointRow]) -> SafeString:
    """The joints table's rows: number, DN, type in words, fitter and welder with their times, NDT.

    A voided joint keeps its row (its work stays on record), marked «Anulada» with the reason; a
    field weld's SOLD cells say it is welded on site.
    """
    pending, field_weld = _("pendiente"), _("FW: se suelda en terreno")
    voided = escape(_("Anulada"))
    rows = []
    for j in joints:
        tipo = escape(TipoUnion(j.tipo).label if j.tipo in TipoUnion.values else j.tipo)
        # Nothing is pending on a voided joint: only the work recorded before stays.
        todo = "—" if j.anulada else pending
        sold = _work_cells(j.sold, todo if j.soldable else field_weld)
        note = f'<span class="flag">{voided}</span>: {escape(j.motivo or "—")}' if j.anulada else "—"
        attrs = ' class="voided"' if j.anulada else ""
        rows.append(
            f'<tr{attrs} data-union="{j.n_union}">'
            f'<th scope="row">{j.n_union}</th><td class="num">{format_dn(j.dn)}</td><td class="tipo">{tipo}</td>'
            f'{_work_cells(j.arm, todo)}{sold}<td class="ndt">{_ndt(j)}</td><td class="note">{note}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every variable part is escaped above
