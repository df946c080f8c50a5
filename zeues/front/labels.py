"""QR labels: a spool's code opens it on the kiosk (a phone camera or a tablet's scanner)."""

from __future__ import annotations

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from spools.models import Spool
from zeues.front.permissions import office_required

MAX_LABELS = 500


def qr_svg(request: HttpRequest, spool: Spool) -> str:
    """Inline SVG of the QR code holding the spool's kiosk URL."""
    url = request.build_absolute_uri(reverse("kiosk:spool", args=[spool.tag_spool]))
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, border=2, title=spool.tag_spool))  # noqa: S308


def labels_response(request: HttpRequest, spools: list[Spool]) -> HttpResponse:
    """A printable sheet of labels."""
    labels = [{"spool": s, "qr": qr_svg(request, s)} for s in spools]
    return render(request, "labels/labels.html", {"labels": labels})


@require_GET
@office_required
def label(request: HttpRequest, tag: str) -> HttpResponse:
    """GET /spools/<tag>/etiqueta: one spool's label."""
    spool = Spool.objects.filter(tag_spool=tag).first()
    if spool is None:
        raise Http404(f"No existe el spool {tag}")
    return labels_response(request, [spool])


@require_GET
@office_required
def sheet(request: HttpRequest) -> HttpResponse:
    """GET /spools/etiquetas?tag=…&tag=…: a sheet of labels for a selection."""
    tags = request.GET.getlist("tag")[:MAX_LABELS]
    spools = list(Spool.objects.filter(tag_spool__in=tags).order_by("tag_spool"))
    return labels_response(request, spools)
