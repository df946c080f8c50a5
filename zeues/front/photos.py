"""The photo of a spool's latest rejection, for the repairer's tablet and the staff's pages."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from spools.models import Spool
from zeues.front.permissions import KIOSK, OFFICE, allow


@require_GET
@allow(KIOSK, OFFICE)
def rejection_photo(request: HttpRequest, tag: str) -> FileResponse:
    """GET /kiosko/foto-rechazo/<tag>/: the JPEG (kiosk and office accounts; 404 without a photo)."""
    spool = Spool.objects.filter(tag_spool=tag.strip()).only("rechazo_foto").first()
    if spool is None or not spool.rechazo_foto or not default_storage.exists(spool.rechazo_foto):
        raise Http404("Este spool no tiene foto de rechazo.")
    response = FileResponse(default_storage.open(spool.rechazo_foto, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response
