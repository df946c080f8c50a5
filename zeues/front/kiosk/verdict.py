"""The inspector's verdict on the kiosk: chosen, then confirmed; a rejection names its defect.

APROBADO is final and RECHAZADO counts towards the block, so neither acts on one tap: the choice
screen leads to a confirmation (APROBADO) or to the defect, note and photo (RECHAZADO), and only
that second screen's button records it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.http import urlencode

from spools.models import Defecto, Resultado
from zeues.lib import photos
from zeues.lib.errors import DatosInvalidos


@dataclass(frozen=True)
class Reason:
    """What a RECHAZADO carries from the kiosk: the defect's code, a note, the stored photo."""

    defecto: str | None = None
    nota: str = ""
    foto: str = ""


def choice_urls(request: HttpRequest) -> dict[str, str]:
    """The confirm page's address with each `resultado` (the choice's links), and without (ELEGIR)."""
    params = [(k, request.GET.get(k, "")) for k in request.GET if k not in ("resultado", "tag")]
    params += [("tag", t) for t in request.GET.getlist("tag")]
    urls = {r: f"{request.path}?{urlencode([*params, ('resultado', r)])}" for r in Resultado.values}
    return {**urls, "ELEGIR": f"{request.path}?{urlencode(params)}"}


def catalogue() -> list[Defecto]:
    """The defects an inspector may choose, in the supervisors' order."""
    return list(Defecto.objects.filter(activo=True))


def reason_from(request: HttpRequest, resultado: str) -> Reason:
    """A RECHAZADO's reason from the confirmation form (DATOS_INVALIDOS when the defect is missing).

    The photo is checked and stored here, before the action; `discard` it if nothing was recorded.
    """
    if resultado != Resultado.RECHAZADO:
        return Reason()
    codigo = request.POST.get("defecto", "").strip()[:20]
    if not Defecto.objects.filter(codigo=codigo, activo=True).exists():
        raise DatosInvalidos("Elija el defecto del rechazo.", data={"campos": {"defecto": ["obligatorio"]}})
    upload = request.FILES.get("foto")
    foto = photos.store(upload, folder="rechazos") if upload else ""
    return Reason(codigo, request.POST.get("nota", "").strip()[:500], foto)
