"""The kiosk's «Terminar» of a spool with joints: the tiles a holder ticks, and what the tap does.

A holder of ARM or SOLD sees every joint of the spool as a tile: the ones they may record now
(`spools.joints.offered`) can be ticked; the others say why not ("armada por VS(90)", "sin armar",
"FW: en terreno", "anulada"). Ticking every open joint completes the operation, some pauses it,
none releases it (occupation.services.spool_finish decides; `verb` only says it beforehand, with
the same rule, so the button's label never disagrees with the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from spools.joints import joints_of, offered
from spools.models import Accion, Operacion, Spool, Union
from zeues.lib.dn import format_dn

TERMINAR = "TERMINAR"  # the kiosk's own step for a held spool with joints: the tiles, then confirm


@dataclass(frozen=True)
class Tile:
    """One joint as the holder sees it: tickable now, or done / not available, and why."""

    union: Union
    tickable: bool
    note: str = ""  # who did it, or why it cannot be ticked in this session
    done: bool = False

    @property
    def dn(self) -> str:
        """`2,5`: as the shop writes it."""
        return format_dn(self.union.dn)

    @property
    def dn_value(self) -> str:
        """`2.5`: for the page's script, which adds the ticked joints' PD."""
        return str(self.union.dn.normalize())


@dataclass(frozen=True)
class Sheet:
    """The «Terminar» screen of one spool: its tiles, how many are open, and the op's words."""

    spool: Spool
    operacion: str
    tiles: list[Tile]
    open_count: int  # joints still to do for the operation (ticking all of them completes)

    @property
    def offered_count(self) -> int:
        return sum(1 for t in self.tiles if t.tickable)

    @property
    def completes_with_all(self) -> bool:
        """Ticking every tickable tile completes the operation (none is open but not offered)."""
        return self.offered_count == self.open_count


def _note(union: Union, operacion: str) -> tuple[bool, str]:
    """Whether the tile shows done work, and its words, for a joint the holder cannot tick."""
    if union.anulada:
        return False, "anulada"
    if union.sold_fin is not None:
        who = union.sold_worker.token if union.sold_worker else "?"
        if operacion == Operacion.SOLD:
            return True, f"soldada por {who}"
        fitter = union.arm_worker.token if union.arm_worker else "?"
        return True, f"armada por {fitter} · soldada por {who}"
    if operacion == Operacion.SOLD and not union.soldable:
        return False, "FW: en terreno"  # nothing to weld in the shop, fitted or not
    if union.arm_fin is not None:
        return True, f"armada por {union.arm_worker.token if union.arm_worker else '?'}"
    return False, "sin armar"


def sheet(spool: Spool, operacion: str) -> Sheet:
    """The tiles of `spool` for a holder of `operacion` (ARM or SOLD), in joint order."""
    joints = joints_of(spool)
    tickable = {u.pk for u in offered(joints, operacion)}
    tiles = []
    for union in joints:
        if union.pk in tickable:
            tiles.append(Tile(union, True))
        else:
            done, note = _note(union, operacion)
            tiles.append(Tile(union, False, note, done))
    return Sheet(spool, operacion, tiles, open_count(joints, operacion))


def open_count(joints: list[Union], operacion: str) -> int:
    """Joints still to do: ARM unfitted; SOLD unwelded and not FW (voided ones never count)."""
    return sum(1 for u in joints if u.is_open(operacion))


def verb(ticked: int, open_: int) -> str:
    """What a finish with `ticked` of `open_` joints does: COMPLETAR, PAUSAR or LIBERAR."""
    if ticked >= open_:
        return Accion.COMPLETAR
    return Accion.PAUSAR if ticked else Accion.LIBERAR


def pd(unions: list[Union]) -> Decimal:
    """Pulgadas-diámetro: the sum of the joints' DN."""
    return sum((u.dn for u in unions), Decimal("0"))


def numbers(values: list[int]) -> str:
    """`#1, #4` — joint numbers as the tiles show them."""
    return ", ".join(f"#{n}" for n in values)


def recorded(accion: str, operacion: str, uniones: list[int], pulgadas: Decimal) -> str:
    """The result line's first sentence: what the finish recorded, in words."""
    if accion == Accion.LIBERAR:
        return f"Liberado sin registrar uniones de {operacion}"
    count = len(uniones)
    joints = "1 unión registrada" if count == 1 else f"{count} uniones registradas"
    what = f"{joints} ({numbers(uniones)}) · {format_dn(pulgadas)} PD"
    if accion == Accion.COMPLETAR:
        return f"{operacion} completado: {what}" if count else f"{operacion} completado"
    return f"Pausado: {what}"
