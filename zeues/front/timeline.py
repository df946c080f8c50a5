"""A spool's history as a timeline: one lane per operation, drawn as inline SVG in Python.

Drawn like the Gerencia charts (charts.py): the markup is written here, every text escaped and
every number formatted with a decimal point (the template engine would localise floats, "44,6").
Unlike them, x coordinates and widths are *percentages* of the drawing's width while text is in
pixels: the SVG fills the page at any width and its labels keep their size (a viewBox would shrink
12 px labels to 11 px on a 601 px tablet and blow them up to 24 px on a desktop).

What fits is decided here for two plot widths, a 601 px tablet's (PLOT_PX) and a 1,000 px
window's (WIDE_PX): a label is written only on a bar (or beside a mark) with room for it at that
width; when the two choices differ both are written, classed `narrow` and `wide`, and
static/css/history.css shows one. Otherwise the element's <title> (its tooltip, or the box under
the chart on a tap) says it, and the tables below the chart list everything. Sessions too close
to tell apart on the tablet are drawn as one hatched bar, and marks closer than a mark's size as
one mark with a count: a spool with 1,000 events stays a few hundred elements, and the page says
how many were grouped (`Timeline.note`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from spools.models import EventType, Operacion, Resultado
from zeues.front import words
from zeues.reports.history import SIN_CIERRE, History, Note, Session, format_duration

# The plot's width on a 601 px tablet: the page's padding (2 x 16 px) and a scrollbar's worth off.
PLOT_PX = 560.0
# The plot's width from a 1,000 px window on (history.css shows the "wide" labels from there).
WIDE_PX = 940.0
PAD = 2.0  # % of the width left empty at each end, so marks at the ends are drawn whole
SPAN = 100.0 - 2 * PAD
CHAR_PX = 7.2  # a 12 px system-ui character, generously (capitals and digits of a worker's token)
MIN_BAR_PX = 3.0  # a 5-minute session on a two-week axis is still visible
GAP_PX = 2.0  # sessions closer than this on the tablet are one (hatched) bar: the gap is invisible
# Sessions starting within this of a bar's start join it: a lane holds 70 bars at most on a
# tablet (a 3 px bar is hard to tap, and the benchmark's 300 of them added a quarter to the
# page's server time, bench/history.py).
BUCKET_PX = 8.0
MARK_PX = 14.0  # marks closer than this on the tablet are one mark with a count (a mark is 14 px)
MIN_SPAN = 600.0  # seconds: a single event gets a 10-minute axis around it
MAX_TICKS = 16  # on wide screens; the tablet shows every other one (≤ 8, 67 px or more apart)

TOP, LANE_H, BAND_Y, BAND_H, BAR_Y, BAR_H = 2, 46, 16, 26, 19, 20
SUP = "SUPERVISION"  # the lane of supervisor acts and alerts (not an operation)
BAR_LANES: dict[str, str] = {Operacion.ARM: "arm", Operacion.SOLD: "sold", Operacion.REPARACION: "rep"}
LANE_ORDER: tuple[str, ...] = (Operacion.ARM, Operacion.SOLD, Operacion.METROLOGIA, Operacion.REPARACION)
CSS: dict[str, str] = {**BAR_LANES, Operacion.METROLOGIA: "met", SUP: "sup"}

# Mark shapes, centred on (0, 0); colours as attributes because <use> copies are not reached by
# the page's selectors. Red ✕ for a rejection, green ✓ in a disc for an approval, a diamond for a
# supervisor's act, a triangle with "!" for a call to a supervisor, an empty triangle for its answer.
DEFS = (
    "<defs>"
    '<pattern id="tl-h-arm" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#d5e3f0"/><rect width="3" height="6" fill="#1f5f99"/></pattern>'
    '<pattern id="tl-h-sold" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#f1dcc7"/><rect width="3" height="6" fill="#9a4a00"/></pattern>'
    '<pattern id="tl-h-rep" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#e3d8ee"/><rect width="3" height="6" fill="#6a3d9a"/></pattern>'
    '<g id="tl-ok"><circle r="7" fill="#1d6b2f"/>'
    '<path d="M-3.5,0.2L-1.1,2.8L3.6,-2.8" fill="none" stroke="#fff" stroke-width="2"/></g>'
    '<g id="tl-ko"><circle r="8" fill="#fff"/>'
    '<path d="M-5,-5L5,5M5,-5L-5,5" stroke="#a4001d" stroke-width="3.4" stroke-linecap="round"/></g>'
    '<path id="tl-sup" d="M0,-7.5L7.5,0L0,7.5L-7.5,0Z" fill="#333" stroke="#fff" stroke-width="1"/>'
    '<g id="tl-alerta"><path d="M0,-7.5L8,6.5H-8Z" fill="#7a4a00"/>'
    '<path d="M0,-3V1.8M0,3.6V4.4" stroke="#fff" stroke-width="1.8"/></g>'
    '<path id="tl-open" d="M1,-7L9,0L1,7Z" fill="#111"/>'
    '<path id="tl-atendida" d="M0,-6.5L7,5.5H-7Z" fill="#fff" stroke="#7a4a00" stroke-width="2"/>'
    "</defs>"
)
# When a cluster holds several kinds, the shape shown is the one that matters most.
KIND_RANK = {"ko": 0, "alerta": 1, "sup": 2, "ok": 3, "atendida": 4}
MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
# Tick steps in seconds: each and its double divide a day, so midnight is always a major tick.
STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6, 12)


@dataclass
class Timeline:
    """The drawing and what the page says about it."""

    svg: SafeString
    height: int
    label: str  # the text alternative (aria-label)
    start: datetime.datetime
    end: datetime.datetime
    bars: int = 0
    marks: int = 0
    grouped_sessions: int = 0  # sessions drawn inside a hatched group bar
    group_bars: int = 0
    grouped_events: int = 0  # events drawn inside a mark with a count
    group_marks: int = 0
    lanes: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # what is drawn, for the legend: "arm", "grp", "ko"…

    @property
    def note(self) -> str:
        """What the page says when something was grouped ("" when everything is drawn alone)."""
        parts = []
        if self.group_bars:
            parts.append(
                f"{self.grouped_sessions} sesiones muy próximas se dibujan como "
                + _plural(self.group_bars, "barra rayada", "barras rayadas")
            )
        if self.group_marks:
            parts.append(
                f"{self.grouped_events} eventos muy próximos como "
                + _plural(self.group_marks, "marca", "marcas")
                + " (al tocarla se ve cuántos reúne; «×N» donde cabe)"
            )
        if not parts:
            return ""
        return "A esta escala, " + " y ".join(parts) + ". Las tablas de abajo tienen cada uno por separado."


def _when(d: datetime.datetime) -> str:
    """`dd-mm-YYYY HH:MM` (%-formatting: ~1.5x faster than an f-string, ~700 calls a long page)."""
    return "%02d-%02d-%d %02d:%02d" % (d.day, d.month, d.year, d.hour, d.minute)  # noqa: UP031


def _fits(text: str, px: float) -> bool:
    return len(text) * CHAR_PX + 8 <= px


def _person(token: str, nombre: str) -> str:
    return f"{token} {nombre}".strip() or "—"


@dataclass(slots=True)
class _Group:
    start: float
    end: float
    drawn_end: float
    sessions: list[Session]
    last: Session  # the session that ends last


@dataclass(slots=True)
class _Cluster:
    ts: float
    items: list[tuple[str, Note]]  # (kind, note)


class _Drawing:
    """One timeline being drawn: the scale, the parts written so far and the counts."""

    def __init__(self, lo: float, hi: float, lanes: list[str]) -> None:
        self.lo, self.span = lo, hi - lo
        self.px_per_s = PLOT_PX / self.span  # on the tablet
        self.lanes = lanes
        self.parts: list[str] = []
        self.labels: list[str] = []  # drawn last, above every shape
        self.counts = {"bars": 0, "marks": 0, "gs": 0, "gb": 0, "ge": 0, "gm": 0}
        self.kinds: set[str] = set()

    def x(self, ts: float) -> float:
        """An instant's position, in % of the width (the padded range spans 0 to 100 %)."""
        return (ts - self.lo) / self.span * 100

    def lane_y(self, lane: str) -> int:
        return TOP + self.lanes.index(lane) * LANE_H

    # --- bars ------------------------------------------------------------------------------

    def bars(self, lane: str, sessions: list[tuple[float, float, Session]]) -> None:
        """The lane's sessions, (start, end, session) with instants as timestamps, in time order."""
        groups: list[_Group] = []
        min_s, gap_s, bucket_s = (px / self.px_per_s for px in (MIN_BAR_PX, GAP_PX, BUCKET_PX))
        for start, end, s in sessions:
            last = groups[-1] if groups else None
            # One bar when the gap is too narrow to see, the bar would overlap the last one drawn,
            # or starts too close to it to be told apart (or tapped) on a tablet.
            if last is not None and (
                start - last.end < gap_s or start < last.drawn_end or start - last.start < bucket_s
            ):
                if end >= last.end:
                    last.end, last.last = end, s
                last.drawn_end = max(last.start + min_s, last.end)
                last.sessions.append(s)
            else:
                groups.append(_Group(start, end, max(start + min_s, end), [s], s))
        y = self.lane_y(lane) + BAR_Y
        css = CSS[lane]
        for g in groups:
            x = self.x(g.start)
            w = max((g.end - g.start) / self.span * 100, MIN_BAR_PX / PLOT_PX * 100)
            w = min(w, 100.0 - x)
            if len(g.sessions) == 1:
                self._bar(g.sessions[0], css, x, w, y)
            else:
                self.counts["gb"] += 1
                self.counts["gs"] += len(g.sessions)
                self.kinds.add("grp")
                self.parts.append(
                    f'<rect class="bar {css} grp" x="{x:.2f}%" y="{y}" width="{w:.2f}%" height="{BAR_H}">'
                    f"<title>{escape(self._group_title(lane, g))}</title></rect>"
                )
            self.counts["bars"] += 1
            self.kinds.add(css)

    def _bar(self, s: Session, css: str, x: float, w: float, y: int) -> None:
        cls = f"bar {css}" + (" open" if s.en_curso else "") + (" nocierre" if s.cierre == SIN_CIERRE else "")
        self.parts.append(
            f'<rect class="{cls}" x="{x:.2f}%" y="{y}" width="{w:.2f}%" height="{BAR_H}">'
            f"<title>{escape(_session_title(s))}</title></rect>"
        )
        if s.en_curso:  # an arrow at "now": it is still running
            self.kinds.add("open")
            self.parts.append(f'<use class="arrow" href="#tl-open" x="{x + w:.2f}%" y="{y + BAR_H // 2}"/>')
        room = w / 100 * WIDE_PX
        if not _fits(s.worker_token, room):
            return  # too narrow for a label on any screen: its tooltip says who (most bars of a long history)
        person = _person(s.worker_token, s.worker_nombre)
        texts = [
            next((t for t in (person, s.worker_token) if t and _fits(t, w / 100 * px)), "")
            for px in (PLOT_PX, WIDE_PX)
        ]
        for text, cls in _per_width(texts):
            self.labels.append(
                f'<text class="bl{cls}" x="{x:.2f}%" dx="4" y="{y + 14}">{escape(text)}</text>'
            )

    def _group_title(self, lane: str, g: _Group) -> str:
        tokens = list(dict.fromkeys(s.worker_token for s in g.sessions))
        who = ", ".join(tokens[:3]) + (f" y {len(tokens) - 3} más" if len(tokens) > 3 else "")
        active = sum(s.duration_seconds or 0 for s in g.sessions)
        first, last = g.sessions[0], g.last
        end_text = "en curso" if last.en_curso else _when(last.end or last.start)
        return (
            f"{words.operacion(lane)}: {len(g.sessions)} sesiones agrupadas a esta escala · "
            f"{_when(first.start)} → {end_text} · tiempo activo {format_duration(active)} · {who}"
        )

    # --- marks -----------------------------------------------------------------------------

    def marks(self, lane: str, items: list[tuple[float, str, Note]]) -> None:
        """The lane's notes, (timestamp, kind, note), in the order they were recorded."""
        near_s = MARK_PX / self.px_per_s
        clusters: list[_Cluster] = []
        for ts, kind, note in items:
            last = clusters[-1] if clusters else None
            if last is not None and ts - last.ts < near_s:
                last.items.append((kind, note))
            else:
                clusters.append(_Cluster(ts, [(kind, note)]))
        cy = self.lane_y(lane) + BAR_Y + BAR_H // 2
        ends = [0.0, 0.0]  # where the lane's last mark or label ends, in px, on a tablet / a desktop
        for i, c in enumerate(clusters):
            x = self.x(c.ts)
            kind = min((k for k, _ in c.items), key=KIND_RANK.__getitem__)
            if len(c.items) == 1:
                title = _note_title(*c.items[0])
            else:
                self.counts["gm"] += 1
                self.counts["ge"] += len(c.items)
                title = _cluster_title(c)
            self.parts.append(
                f'<g class="mk {kind}"><title>{escape(title)}</title>'
                f'<use href="#tl-{kind}" x="{x:.2f}%" y="{cy}"/></g>'
            )
            self.counts["marks"] += 1
            self.kinds.update(k for k, _ in c.items)
            if len(c.items) > 1:
                text = f"×{len(c.items)}"
            elif kind == "ko":
                text = c.items[0][1].defecto  # "" for rejections recorded before defects were named
            else:
                continue
            nxt = self.x(clusters[i + 1].ts) if i + 1 < len(clusters) else 100.0
            placed = [
                _beside(text, x, nxt, px, ends, k, len(c.items) == 1)
                for k, px in enumerate((PLOT_PX, WIDE_PX))
            ]
            for (label, side), cls in _per_width(placed):
                anchor = ' dx="10"' if side == "right" else ' dx="-10" text-anchor="end"'
                self.labels.append(
                    f'<text class="ml {kind}{cls}" x="{x:.2f}%"{anchor} y="{cy + 4}">{escape(label)}</text>'
                )

    # --- frame -----------------------------------------------------------------------------

    def frame(self) -> None:
        for lane in self.lanes:
            y = self.lane_y(lane)
            name = "SUPERVISIÓN" if lane == SUP else words.operacion(lane)
            self.parts.append(
                f'<rect class="lane" x="0" y="{y + BAND_Y}" width="100%" height="{BAND_H}"/>'
                f'<text class="ln" x="2" y="{y + 12}">{escape(name)}</text>'
            )

    def axis(self, tz: datetime.tzinfo) -> int:
        y = TOP + len(self.lanes) * LANE_H
        self.parts.append(f'<line class="axis" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
        for ts, major, line1, line2 in ticks(self.lo, self.lo + self.span, tz):
            x = self.x(ts)
            cls = "" if major else " minor"
            left_px, right_px = x / 100 * PLOT_PX, (100 - x) / 100 * PLOT_PX
            half = max(len(line1), len(line2)) * CHAR_PX / 2
            anchor = "start" if left_px < half else "end" if right_px < half else "middle"
            self.parts.append(  # tick texts are digits and month names: nothing to escape
                f'<line class="grid{cls}" x1="{x:.2f}%" x2="{x:.2f}%" y1="{TOP + BAND_Y}" y2="{y + 4}"/>'
                f'<text class="tick{cls}" x="{x:.2f}%" y="{y + 17}" text-anchor="{anchor}">{line1}'
                + (f'<tspan x="{x:.2f}%" dy="14">{line2}</tspan>' if line2 else "")
                + "</text>"
            )
        return y + 36


def _per_width(choices: list) -> list:
    """[(choice, css class)] for a tablet's and a desktop's choice: one unclassed when they agree."""
    narrow, wide = choices
    if narrow == wide:
        return [(narrow, "")] if narrow else []
    return [(c, cls) for c, cls in ((narrow, " narrow"), (wide, " wide")) if c]


def _shorten(text: str, px: float, least: int) -> str:
    keep = int((px - 8) / CHAR_PX) - 1
    return text[:keep].rstrip() + "…" if keep >= least and keep < len(text) else ""


def _beside(
    text: str, x: float, nxt: float, px: float, ends: list[float], k: int, shorten: bool
) -> tuple[str, str] | tuple[()]:
    """A mark's label and its side at one plot width, in the room between its neighbours.

    Right of the mark when it fits (shortened with "…" if at least 6 characters fit), else left of
    it, else a shorter version, else nothing (the tooltip and the table say it). `ends[k]` is where
    the lane's previous mark or label ends, updated here.
    """
    x_px = x / 100 * px
    left_end, ends[k] = ends[k], x_px + MARK_PX / 2
    right = (nxt - x) / 100 * px - 10 - (MARK_PX if nxt < 100 else 2)
    left = x_px - 10 - left_end - 4
    candidates = [(text, "right")]
    if shorten:
        candidates.append((_shorten(text, right, 6), "right"))
    candidates.append((text, "left"))
    if shorten:
        candidates += [(_shorten(text, left, 4), "left"), (_shorten(text, right, 4), "right")]
    for label, side in candidates:
        if label and _fits(label, right if side == "right" else left):
            if side == "right":
                ends[k] = x_px + 10 + len(label) * CHAR_PX
            return label, side
    return ()


def ticks(lo: float, hi: float, tz: datetime.tzinfo) -> list[tuple[float, bool, str, str]]:
    """Axis ticks between two instants, in the shop's zone: (instant, major, line 1, line 2).

    At most MAX_TICKS on a wide screen, whole minutes, hours, days, weeks (from Monday) or months;
    every other one is "major" and the only kind the tablet shows. Line 2 carries the date (or
    the year) where it changes, so a tablet reads "08:00 / 02-03", "12:00", "16:00", "00:00 / 03-03".
    """
    span = hi - lo
    start = datetime.datetime.fromtimestamp(lo, tz)
    end = datetime.datetime.fromtimestamp(hi, tz)
    out: list[tuple[float, bool, str, str]] = []
    step = next((s for s in STEPS if span / s <= MAX_TICKS), None)
    if step is not None:
        raw: list[float] = []
        day = start.date()
        while day <= end.date():
            midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
            for k in range(86400 // step):
                ts = (midnight + datetime.timedelta(seconds=k * step)).timestamp()  # wall-clock
                if lo <= ts <= hi:
                    raw.append(ts)
            day += datetime.timedelta(days=1)
        return _time_labels(raw, step, tz)
    days = next((d for d in DAY_STEPS if span / (d * 86400) <= MAX_TICKS), None)
    if days is not None:
        day, year = start.date(), None
        while day <= end.date():
            n = day.toordinal() - 1  # 0 on a Monday (date(1, 1, 1) was one)
            ts = datetime.datetime.combine(day, datetime.time(), tzinfo=tz).timestamp()
            if n % days == 0 and lo <= ts <= hi:
                major = (n // days) % 2 == 0
                line2 = str(day.year) if major and day.year != year else ""
                year = day.year if major else year
                out.append((ts, major, f"{day.day:02d}-{day.month:02d}", line2))
            day += datetime.timedelta(days=1)
        return out
    months = next((m for m in MONTH_STEPS if span / (m * 30.44 * 86400) <= MAX_TICKS), None) or (
        12 * max(1, int(span / (MAX_TICKS * 365.25 * 86400)) + 1)
    )
    index, year = start.year * 12 + start.month - 1, None
    while index <= end.year * 12 + end.month - 1:
        y, m = divmod(index, 12)
        ts = datetime.datetime(y, m + 1, 1, tzinfo=tz).timestamp()
        if index % months == 0 and lo <= ts <= hi:
            major = (index // months) % 2 == 0
            if months >= 12:
                out.append((ts, major, str(y), ""))
            else:
                line2 = str(y) if major and y != year else ""
                year = y if major else year
                out.append((ts, major, MONTHS[m], line2))
        index += 1
    return out


def _time_labels(raw: list[float], step: int, tz: datetime.tzinfo) -> list[tuple[float, bool, str, str]]:
    out: list[tuple[float, bool, str, str]] = []
    seen: set[float] = set()
    last_date: datetime.date | None = None
    for ts in raw:
        if ts in seen:  # a wall-clock hour that a change of daylight saving time skipped
            continue
        seen.add(ts)
        local = datetime.datetime.fromtimestamp(ts, tz)
        major = (local.hour * 3600 + local.minute * 60) // step % 2 == 0  # from the clock as it reads
        line2 = ""
        if major and local.date() != last_date:
            line2, last_date = f"{local.day:02d}-{local.month:02d}", local.date()
        out.append((ts, major, f"{local.hour:02d}:{local.minute:02d}", line2))
    return out


# --- tooltips ------------------------------------------------------------------------------


def _session_title(s: Session) -> str:
    op = words.operacion(s.operacion)
    who = _person(s.worker_token, s.worker_nombre)
    if s.en_curso:
        return f"{who} · {op} · {_when(s.start)} → en curso (ahora) · {s.duration}"
    if s.cierre == SIN_CIERRE or s.end is None:
        return f"{who} · {op} · desde {_when(s.start)} · sin cierre registrado (fin desconocido)"
    joints = f" · {s.joints_text}" if s.joints_text else ""
    return (
        f"{who} · {op} · {_when(s.start)} → {_when(s.end)} · {s.duration} · {words.evento(s.cierre)}{joints}"
    )


def _note_title(kind: str, n: Note) -> str:
    e = n.event
    when, who = _when(e.timestamp), _person(e.worker_token, e.worker_nombre)
    if kind in ("ok", "ko"):
        text = f"Metrología: {n.resultado}" + (f" — {n.defecto}" if n.defecto else "")
        text += f" · {when} · inspector {who}"
        return text + (" · bloqueó el spool" if n.bloqueo else "")
    if kind == "alerta":
        return f"{words.evento(e.evento_tipo)} · {when} · {who}" + (f" · «{n.motivo}»" if n.motivo else "")
    if kind == "atendida":
        return f"{words.evento(e.evento_tipo)} · {when} · {n.supervisor or '—'}" + (
            f" · «{n.motivo}»" if n.motivo else ""
        )
    text = words.evento(e.evento_tipo, e.details)
    if n.cambio:  # a joint added, corrected or voided: what changed, and no worker is affected
        return f"{text} ({n.cambio}) · {when} · supervisor {n.supervisor or '—'}" + (
            f" · motivo: {n.motivo}" if n.motivo else ""
        )
    text += f" · {words.operacion(e.operacion)} · {when}"
    text += f" · supervisor {n.supervisor or '—'} · trabajador {e.worker_token or '—'}"
    return text + (f" · motivo: {n.motivo}" if n.motivo else "")


KIND_WORDS = {
    "ko": ("rechazo", "rechazos"),
    "ok": ("aprobación", "aprobaciones"),
    "sup": ("acto de supervisor", "actos de supervisor"),
    "alerta": ("llamada a supervisión", "llamadas a supervisión"),
    "atendida": ("alerta atendida", "alertas atendidas"),
}


def _cluster_title(c: _Cluster) -> str:
    """What a mark with a count holds: how many of each kind, and the defects named."""
    first, last = c.items[0][1].event.timestamp, c.items[-1][1].event.timestamp
    counts: dict[str, int] = {}
    defects: list[str] = []
    for kind, note in c.items:
        counts[kind] = counts.get(kind, 0) + 1
        if note.defecto and note.defecto not in defects:
            defects.append(note.defecto)
    what = ", ".join(
        _plural(n, *KIND_WORDS[k]) for k, n in sorted(counts.items(), key=lambda kn: KIND_RANK[kn[0]])
    )
    named = f" ({', '.join(defects)})" if defects else ""
    return f"{len(c.items)} eventos entre {_when(first)} y {_when(last)}: {what}{named} · el detalle, en las tablas"


# --- the whole drawing ---------------------------------------------------------------------


def _kind(note: Note) -> str:
    tipo = note.event.evento_tipo
    if tipo == EventType.COMPLETAR_METROLOGIA:
        return "ko" if note.resultado == Resultado.RECHAZADO else "ok"
    if tipo == EventType.ALERTA_SUPERVISOR:
        return "alerta"
    if tipo == EventType.ALERTA_ATENDIDA:
        return "atendida"
    return "sup"


def _by_seq(acts: list[Note], alerts: list[Note]) -> list[Note]:
    return sorted(acts + alerts, key=lambda n: n.event.seq) if alerts else acts


def timeline(h: History) -> Timeline | None:
    """The spool's timeline, or None when nothing of its history can be drawn."""
    tz = timezone.get_current_timezone()
    now = h.now.timestamp()
    # Each instant converted to a timestamp once (~2 µs each, 1,000 times for a long-lived spool).
    sessions: dict[str, list[tuple[float, float, Session]]] = {op: [] for op in BAR_LANES}
    for s in h.sessions:
        lane = sessions.get(s.operacion)
        if lane is not None:
            start = s.start.timestamp()
            end = s.end.timestamp() if s.end else (now if s.en_curso else start)
            lane.append((start, end, s))
    marks: dict[str, list[tuple[float, str, Note]]] = {
        Operacion.METROLOGIA: [(n.event.timestamp.timestamp(), _kind(n), n) for n in h.metrologia],
        SUP: [(n.event.timestamp.timestamp(), _kind(n), n) for n in _by_seq(h.supervisor, h.alerts)],
    }
    instants = [t for lane_sessions in sessions.values() for a, b, _ in lane_sessions for t in (a, b)]
    instants += [t for items in marks.values() for t, _, _ in items]
    if not instants:
        return None
    t0, t1 = min(instants), max(instants)
    if t1 - t0 < MIN_SPAN:
        t0, t1 = (t0 + t1 - MIN_SPAN) / 2, (t0 + t1 + MIN_SPAN) / 2
    # The axis runs PAD % beyond the first and last instants, so they are drawn whole.
    margin = (t1 - t0) * PAD / SPAN
    lanes: list[str] = [*LANE_ORDER, *([SUP] if marks[SUP] else [])]
    d = _Drawing(t0 - margin, t1 + margin, lanes)
    d.frame()
    height = d.axis(tz)
    for op, lane_sessions in sessions.items():
        d.bars(op, sorted(lane_sessions, key=lambda item: item[0]))
    for mark_lane, items in marks.items():
        if items:
            d.marks(mark_lane, items)
    if any(s.en_curso for s in h.sessions):
        x = d.x(now)
        d.parts.append(
            f'<line class="now" x1="{x:.2f}%" x2="{x:.2f}%" y1="{TOP}" y2="{height - 36}">'
            f"<title>Ahora: {escape(_when(h.now.astimezone(tz)))}</title></line>"
        )
    svg = mark_safe(DEFS + "".join(d.parts) + "".join(d.labels))  # noqa: S308 - numbers formatted here, every text escaped
    first, last = (datetime.datetime.fromtimestamp(t, tz) for t in (t0, t1))
    c = d.counts
    return Timeline(
        svg=svg,
        height=height,
        label=_summary(h, first, last),
        start=first,
        end=last,
        bars=c["bars"],
        marks=c["marks"],
        grouped_sessions=c["gs"],
        group_bars=c["gb"],
        grouped_events=c["ge"],
        group_marks=c["gm"],
        lanes=lanes,
        kinds=d.kinds,
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(h: History, start: datetime.datetime, end: datetime.datetime) -> str:
    """The chart in one sentence, for screen readers (the tables below have every detail)."""
    per_op = "; ".join(
        f"{words.operacion(op)}: {_plural(sum(1 for s in h.sessions if s.operacion == op), 'sesión', 'sesiones')}"
        for op in BAR_LANES
    )
    rejected = sum(1 for n in h.metrologia if n.resultado == Resultado.RECHAZADO)
    return (
        f"Línea de tiempo del spool {h.spool.tag_spool}, del {_when(start)} al {_when(end)}. {per_op}; "
        f"metrología: {_plural(len(h.metrologia), 'inspección', 'inspecciones')} "
        f"({_plural(rejected, 'rechazo', 'rechazos')}); "
        f"{_plural(len(h.supervisor), 'acto de supervisor', 'actos de supervisor')}; "
        f"{_plural(len(h.alerts), 'alerta', 'alertas')}. Las tablas siguientes detallan cada sesión y evento."
    )
