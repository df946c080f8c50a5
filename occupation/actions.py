"""The one table from an action to its service, used by the JSON API, the batches and the kiosk.

A row is `(operación, acción) → service`. Each workflow adds its rows beside the services they
name (`register(...)` at the end of occupation/, metrologia/ and reparacion/services.py), so
this module needs no import of the workflows above it; Django imports every app's services at
start-up (their AppConfig.ready), so the table is complete before the first request.

The operación `None` stands for "the ARM or SOLD operation the spool is held for": PAUSAR and
COMPLETAR through the occupation API may leave it out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from occupation.engine import Actor
from occupation.exceptions import OperacionNoPermitida
from spools.exceptions import SpoolNoEncontrado
from spools.models import Spool, Worker
from zeues.lib.errors import ZeuesError


@dataclass(frozen=True)
class Request:
    """Everything an action may need: who does it, to which spool, with what."""

    spool: Spool
    worker: Worker
    actor: Actor = None
    operacion: str | None = None
    fecha: datetime.date | None = None
    resultado: str | None = None
    # A rejection's reason: the defect's code, a note, the stored photo's name.
    defecto: str | None = None
    nota: str = ""
    foto: str = ""
    # The joints finished now (PAUSAR/COMPLETAR of a spool with joints); None = "every open one"
    # for COMPLETAR, none for PAUSAR.
    uniones: list[int] | None = None


Service = Callable[[Request], Spool]

TABLE: dict[tuple[str | None, str], Service] = {}


def register(operaciones: Iterable[str | None], accion: str, service: Service) -> None:
    """Add the rows `(operación, accion) → service`, one per operation."""
    for operacion in operaciones:
        key = (operacion, accion)
        if key in TABLE and TABLE[key] is not service:
            raise ValueError(f"action {key} registered twice")
        TABLE[key] = service


def get(operacion: str | None, accion: str) -> Service:
    """The service of `accion` on `operacion`, or OPERACION_NO_PERMITIDA."""
    service = TABLE.get((operacion, accion))
    if service is None:
        raise OperacionNoPermitida(
            f"{accion} no es una acción de {operacion or 'ARM/SOLD'}.",
            data={"operacion": operacion, "accion": accion},
        )
    return service


@dataclass
class BatchOutcome:
    """The result of one tag of a batch."""

    tag_spool: str
    success: bool
    message: str
    error: str | None = None
    spool: Spool | None = None


def run_batch(
    tags: list[str], service: Service, done: Callable[[Spool], str], **request: object
) -> list[BatchOutcome]:
    """Run `service` on each tag on its own; every tag gets an outcome, in the order given.

    `request` holds the Request's fields other than the spool (worker, actor, operacion, …).
    """
    by_tag = {s.tag_spool: s for s in Spool.objects.with_people().filter(tag_spool__in=tags)}
    outcomes = []
    for tag in tags:
        spool = by_tag.get(tag)
        try:
            if spool is None:
                raise SpoolNoEncontrado(f"No existe el spool «{tag}».", data={"tag_spool": tag})
            result = service(Request(spool=spool, **request))  # type: ignore[arg-type]
            outcomes.append(BatchOutcome(tag, True, done(result), spool=result))
        except ZeuesError as error:
            outcomes.append(BatchOutcome(tag, False, error.message, error.code))
    return outcomes
