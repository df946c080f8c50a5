"""Master data (workers, spools) and the append-only audit trail.

The ARM and SOLD lifecycles are django-fsm fields on Spool. Transition methods are bare verbs
that change fields in memory only; services in occupation/services.py lock, check, call them,
write conditionally and append the audit event in one transaction.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from zeues.lib import live


class Rol(models.TextChoices):
    """Roles a worker may hold (several at once)."""

    ARMADOR = "Armador", "Armador"
    SOLDADOR = "Soldador", "Soldador"
    AYUDANTE = "Ayudante", "Ayudante"
    METROLOGIA = "Metrologia", "Metrologia"
    REVESTIMIENTO = "Revestimiento", "Revestimiento"
    PINTURA = "Pintura", "Pintura"
    DESPACHO = "Despacho", "Despacho"


class Operacion(models.TextChoices):
    """Operations: ARM, SOLD and REPARACION occupy a spool; METROLOGIA is instant."""

    ARM = "ARM", "ARM"
    SOLD = "SOLD", "SOLD"
    METROLOGIA = "METROLOGIA", "METROLOGIA"
    REPARACION = "REPARACION", "REPARACION"


class EstadoOperacion(models.TextChoices):
    """States of the ARM and SOLD machines."""

    PENDIENTE = "pendiente", _("pendiente")
    EN_PROGRESO = "en_progreso", _("en progreso")
    PAUSADO = "pausado", _("pausado")
    COMPLETADO = "completado", _("completado")


STARTED = (EstadoOperacion.EN_PROGRESO, EstadoOperacion.PAUSADO, EstadoOperacion.COMPLETADO)
TAKEABLE = (EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO)


class EstadoCalidad(models.TextChoices):
    """The quality lifecycle: metrología, reparación and the block after repeated rejections."""

    PENDIENTE = "pendiente", _("pendiente")
    APROBADO = "aprobado", _("aprobado")
    RECHAZADO = "rechazado", _("rechazado")
    EN_REPARACION = "en_reparacion", _("en reparación")
    REPARACION_PAUSADA = "reparacion_pausada", _("reparación pausada")
    PENDIENTE_METROLOGIA = "pendiente_metrologia", _("pendiente metrología")
    BLOQUEADO = "bloqueado", _("bloqueado")


INSPECTABLE = (EstadoCalidad.PENDIENTE, EstadoCalidad.PENDIENTE_METROLOGIA)
REPAIRABLE = (EstadoCalidad.RECHAZADO, EstadoCalidad.REPARACION_PAUSADA)


class EventType(models.TextChoices):
    """Audit event types (docs/domain.md, "The audit trail"), labelled as the shop names them."""

    TOMAR_SPOOL = "TOMAR_SPOOL", "TOMAR_SPOOL"
    PAUSAR_SPOOL = "PAUSAR_SPOOL", "PAUSAR_SPOOL"
    COMPLETAR_ARM = "COMPLETAR_ARM", "COMPLETAR_ARM"
    COMPLETAR_SOLD = "COMPLETAR_SOLD", "COMPLETAR_SOLD"
    COMPLETAR_METROLOGIA = "COMPLETAR_METROLOGIA", "COMPLETAR_METROLOGIA"
    TOMAR_REPARACION = "TOMAR_REPARACION", "TOMAR_REPARACION"
    PAUSAR_REPARACION = "PAUSAR_REPARACION", "PAUSAR_REPARACION"
    COMPLETAR_REPARACION = "COMPLETAR_REPARACION", "COMPLETAR_REPARACION"
    CANCELAR_REPARACION = "CANCELAR_REPARACION", "CANCELAR_REPARACION"
    SPOOL_BLOQUEADO = "SPOOL_BLOQUEADO", "SPOOL_BLOQUEADO"
    SUPERVISOR_OVERRIDE = "SUPERVISOR_OVERRIDE", "SUPERVISOR_OVERRIDE"
    LIBERACION_FORZADA = "LIBERACION_FORZADA", "LIBERACION_FORZADA"
    IMPORT = "IMPORT", "IMPORT"
    # A supervisor is called to a spool (its block, or a worker's "Llamar supervisor"), and answers.
    ALERTA_SUPERVISOR = "ALERTA_SUPERVISOR", "ALERTA_SUPERVISOR"
    ALERTA_ATENDIDA = "ALERTA_ATENDIDA", "ALERTA_ATENDIDA"
    # A worker's kiosk PIN is locked after too many wrong tries, and unlocked (time or supervisor).
    PIN_BLOQUEADO = "PIN_BLOQUEADO", "PIN_BLOQUEADO"
    PIN_DESBLOQUEADO = "PIN_DESBLOQUEADO", "PIN_DESBLOQUEADO"
    # An account name's password login is locked after too many wrong passwords, and unlocked.
    LOGIN_BLOQUEADO = "LOGIN_BLOQUEADO", "LOGIN_BLOQUEADO"
    LOGIN_DESBLOQUEADO = "LOGIN_DESBLOQUEADO", "LOGIN_DESBLOQUEADO"
    # Joints (docs/joints.md): one event per joint fitted or welded, beside the spool's own event.
    UNION_ARM_REGISTRADA = "UNION_ARM_REGISTRADA", "UNION_ARM_REGISTRADA"
    UNION_SOLD_REGISTRADA = "UNION_SOLD_REGISTRADA", "UNION_SOLD_REGISTRADA"
    # A supervisor's engineering changes to a spool's joints, with the reason.
    UNION_AGREGADA = "UNION_AGREGADA", "UNION_AGREGADA"
    UNION_CORREGIDA = "UNION_CORREGIDA", "UNION_CORREGIDA"
    UNION_ANULADA = "UNION_ANULADA", "UNION_ANULADA"
    # The holder of a spool with joints let it go without recording any (nothing done).
    LIBERAR_SPOOL = "LIBERAR_SPOOL", "LIBERAR_SPOOL"


class Accion(models.TextChoices):
    """What a person (or the import) did: the audit event's `accion`, the API's and the kiosk's verbs."""

    TOMAR = "TOMAR", "TOMAR"
    PAUSAR = "PAUSAR", "PAUSAR"
    COMPLETAR = "COMPLETAR", "COMPLETAR"
    CANCELAR = "CANCELAR", "CANCELAR"
    BLOQUEAR = "BLOQUEAR", "BLOQUEAR"
    DESBLOQUEAR = "DESBLOQUEAR", "DESBLOQUEAR"
    LIBERAR = "LIBERAR", "LIBERAR"
    IMPORT = "IMPORT", "IMPORT"
    LLAMAR = "LLAMAR", "LLAMAR"
    ATENDER = "ATENDER", "ATENDER"
    # A supervisor's engineering changes to joints.
    AGREGAR = "AGREGAR", "AGREGAR"
    CORREGIR = "CORREGIR", "CORREGIR"
    ANULAR = "ANULAR", "ANULAR"


class Resultado(models.TextChoices):
    """The two results of a metrología inspection."""

    APROBADO = "APROBADO", "APROBADO"
    RECHAZADO = "RECHAZADO", "RECHAZADO"


# Audit event type → live stream event type (zeues.lib.live.EVENT_TYPES): what screens hear.
LIVE_TYPE: dict[EventType, str] = {
    EventType.TOMAR_SPOOL: live.TOMAR,
    EventType.PAUSAR_SPOOL: live.PAUSAR,
    EventType.COMPLETAR_ARM: live.COMPLETAR,
    EventType.COMPLETAR_SOLD: live.COMPLETAR,
    EventType.COMPLETAR_METROLOGIA: live.COMPLETAR_METROLOGIA,
    EventType.TOMAR_REPARACION: live.TOMAR_REPARACION,
    EventType.PAUSAR_REPARACION: live.PAUSAR_REPARACION,
    EventType.COMPLETAR_REPARACION: live.COMPLETAR_REPARACION,
    EventType.CANCELAR_REPARACION: live.CANCELAR_REPARACION,
    EventType.SPOOL_BLOQUEADO: live.STATE_CHANGE,
    EventType.SUPERVISOR_OVERRIDE: live.SUPERVISOR_OVERRIDE,
    EventType.LIBERACION_FORZADA: live.LIBERACION_FORZADA,
    EventType.IMPORT: live.STATE_CHANGE,
    EventType.ALERTA_SUPERVISOR: live.ALERTA,
    EventType.ALERTA_ATENDIDA: live.ALERTA_ATENDIDA,
    EventType.PIN_BLOQUEADO: live.STATE_CHANGE,
    EventType.PIN_DESBLOQUEADO: live.STATE_CHANGE,
    EventType.LOGIN_BLOQUEADO: live.STATE_CHANGE,
    EventType.LOGIN_DESBLOQUEADO: live.STATE_CHANGE,
    EventType.UNION_ARM_REGISTRADA: live.STATE_CHANGE,
    EventType.UNION_SOLD_REGISTRADA: live.STATE_CHANGE,
    EventType.UNION_AGREGADA: live.STATE_CHANGE,
    EventType.UNION_CORREGIDA: live.STATE_CHANGE,
    EventType.UNION_ANULADA: live.STATE_CHANGE,
    EventType.LIBERAR_SPOOL: live.PAUSAR,
}

# One audit event per joint recorded, by operation; these are appended in bulk and not published
# one by one: the spool's own event (PAUSAR, COMPLETAR) carries the progress to the screens.
UNION_EVENT: dict[str, EventType] = {
    "ARM": EventType.UNION_ARM_REGISTRADA,
    "SOLD": EventType.UNION_SOLD_REGISTRADA,
}
JOINT_EVENTS = frozenset(
    {
        EventType.UNION_ARM_REGISTRADA,
        EventType.UNION_SOLD_REGISTRADA,
        EventType.UNION_AGREGADA,
        EventType.UNION_CORREGIDA,
        EventType.UNION_ANULADA,
    }
)

# An occupation session opens with a take and closes with whatever ends the occupation; the
# history, «Mi registro» and the KPI facts fold sessions with these.
SESSION_OPENS = frozenset({EventType.TOMAR_SPOOL, EventType.TOMAR_REPARACION})
SESSION_CLOSES = frozenset(
    {
        EventType.PAUSAR_SPOOL,
        EventType.COMPLETAR_ARM,
        EventType.COMPLETAR_SOLD,
        EventType.PAUSAR_REPARACION,
        EventType.COMPLETAR_REPARACION,
        EventType.CANCELAR_REPARACION,
        EventType.LIBERACION_FORZADA,
        EventType.LIBERAR_SPOOL,
    }
)


class Worker(models.Model):
    """A shop-floor worker, keyed by the sheet's numeric id."""

    id = models.PositiveIntegerField("ID", primary_key=True)
    nombre = models.CharField(max_length=100)
    apellido = models.CharField(max_length=100)
    activo = models.BooleanField(default=True)
    # Optional kiosk PIN, stored hashed like a password; empty means no PIN is asked.
    pin = models.CharField("PIN (cifrado)", max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        ordering = ["nombre", "apellido", "id"]
        verbose_name = "trabajador"
        verbose_name_plural = "trabajadores"

    def __str__(self) -> str:
        return f"{self.nombre_completo} {self.token}"

    @property
    def nombre_completo(self) -> str:
        """Full name as the sheet spells it."""
        return f"{self.nombre} {self.apellido}".strip()

    @property
    def token(self) -> str:
        """`INICIALES(ID)`: first letters of the first word of Nombre and of Apellido."""
        initials = "".join(part.split()[0][0] for part in (self.nombre, self.apellido) if part.split())
        return f"{initials.upper()}({self.id})"

    def set_pin(self, raw: str) -> None:
        """Store a new PIN (hashed); an empty value removes it."""
        self.pin = make_password(raw) if raw else ""

    def check_pin(self, raw: str) -> bool:
        """True when the worker has no PIN, or `raw` matches it."""
        return not self.pin or check_password(raw, self.pin)

    def active_roles(self) -> set[str]:
        """The roles this worker may act in now (none when the worker is inactive)."""
        if not self.activo:
            return set()
        # Uses the prefetch cache when the caller prefetched roles.
        return {r.rol for r in self.roles.all() if r.activo}


class WorkerRole(models.Model):
    """One role of one worker (the sheet's `Roles` tab has one row per worker and role)."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="roles", verbose_name="trabajador"
    )
    rol = models.CharField(max_length=20, choices=Rol.choices)
    activo = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "rol"], name="unique_worker_rol")]
        ordering = ["worker_id", "rol"]
        verbose_name = "rol"
        verbose_name_plural = "roles"

    def __str__(self) -> str:
        return f"{self.worker_id} {self.rol}{'' if self.activo else ' (inactivo)'}"


class SpoolQuerySet(models.QuerySet["Spool"]):
    """Reusable reads of spools."""

    def free(self) -> SpoolQuerySet:
        """Spools nobody occupies."""
        return self.filter(ocupado_por__isnull=True)

    def available_for(self, operacion: str) -> SpoolQuerySet:
        """Spools a worker with the right role could TOMAR for `operacion` right now."""
        condition = available_q(operacion)
        return self.filter(condition) if condition is not None else self.none()

    def stale(self) -> SpoolQuerySet:
        """Occupations older than ZEUES_STALE_HOURS: flagged, never expired silently."""
        return self.filter(fecha_ocupacion__lt=stale_cutoff())

    def in_repair_loop(self) -> SpoolQuerySet:
        """Spools rejected, being repaired, waiting for re-inspection, or blocked."""
        return self.exclude(calidad__in=[EstadoCalidad.PENDIENTE, EstadoCalidad.APROBADO])

    def occupied_by(self, worker: Worker) -> SpoolQuerySet:
        """Spools the worker holds right now."""
        return self.filter(ocupado_por=worker)

    def with_people(self) -> SpoolQuerySet:
        """Joined with everyone a spool names (occupant, fitter, welder, last rejection's defect
        and inspector), so showing it costs no further query."""
        return self.select_related(*PEOPLE)


def available_q(operacion: str) -> Q | None:
    """The condition of `SpoolQuerySet.available_for` (None for an operation nobody takes), also
    usable inside an aggregate's filter (the kiosk counts its groups in one scan)."""
    free = Q(ocupado_por__isnull=True, activo=True) & ~Q(calidad=EstadoCalidad.BLOQUEADO)
    if operacion == Operacion.ARM:
        return free & Q(fecha_materiales__isnull=False, arm__in=TAKEABLE)
    if operacion == Operacion.SOLD:
        # With joints, welding needs a fitted joint still to weld (docs/joints.md).
        return (
            free
            & Q(fecha_materiales__isnull=False, sold__in=TAKEABLE, arm__in=STARTED)
            & (Q(uniones_total=0) | Q(uniones_sold_listas__gt=0))
        )
    if operacion == Operacion.METROLOGIA:
        return free & Q(
            arm=EstadoOperacion.COMPLETADO,
            sold=EstadoOperacion.COMPLETADO,
            calidad__in=INSPECTABLE,
            uniones_arm=F("uniones_total"),
            uniones_sold=F("uniones_sold_total"),
        )
    if operacion == Operacion.REPARACION:
        return free & Q(calidad__in=REPAIRABLE)
    return None


# The related rows a spool's description needs (SpoolQuerySet.with_people).
PEOPLE = ("ocupado_por", "armador", "soldador", "rechazo_defecto", "rechazo_inspector")


def stale_cutoff() -> datetime.datetime:
    """Occupations that started before this instant are stale."""
    return timezone.now() - datetime.timedelta(hours=settings.ZEUES_STALE_HOURS)


def _has_materiales(spool: Any) -> bool:
    return spool.fecha_materiales is not None


def _is_free(spool: Any) -> bool:
    return spool.ocupado_por_id is None


def _arm_started(spool: Any) -> bool:
    return spool.arm in STARTED


def _arm_completed(spool: Any) -> bool:
    return spool.arm == EstadoOperacion.COMPLETADO


def _not_blocked(spool: Any) -> bool:
    return spool.calidad != EstadoCalidad.BLOQUEADO


def _welded(spool: Any) -> bool:
    return spool.arm == EstadoOperacion.COMPLETADO and spool.sold == EstadoOperacion.COMPLETADO


def _sold_may_complete(spool: Any) -> bool:
    """Whole-spool: ARM completado. With joints: every joint but FW welded (docs/joints.md)."""
    if spool.uniones_total:
        return spool.uniones_sold == spool.uniones_sold_total
    return _arm_completed(spool)


def _all_fitted(spool: Any) -> bool:
    return bool(spool.uniones_total) and spool.uniones_arm == spool.uniones_total


def _all_welded(spool: Any) -> bool:
    return bool(spool.uniones_total) and spool.uniones_sold == spool.uniones_sold_total


class Defecto(models.Model):
    """One entry of the defect catalogue a rejection must name; supervisors keep it in admin."""

    codigo = models.CharField("código", max_length=20, unique=True)
    nombre = models.CharField(max_length=100)
    activo = models.BooleanField(default=True, help_text="Solo los activos se ofrecen al inspector.")
    orden = models.PositiveSmallIntegerField(default=0, help_text="Posición en la lista del kiosko.")

    class Meta:
        ordering = ["orden", "nombre"]
        verbose_name = "defecto"
        verbose_name_plural = "defectos (catálogo de metrología)"

    def __str__(self) -> str:
        return self.nombre


class Spool(models.Model):
    """A prefabricated pipe spool, identified by TAG_SPOOL."""

    tag_spool = models.CharField("TAG_SPOOL", max_length=100, unique=True)
    nv = models.CharField("NV", max_length=50, blank=True, db_index=True)
    ot = models.CharField("OT", max_length=50, blank=True, db_index=True)
    fecha_materiales = models.DateField("Fecha_Materiales", null=True, blank=True)
    activo = models.BooleanField(default=True)

    arm = FSMField("ARM", default=EstadoOperacion.PENDIENTE, choices=EstadoOperacion.choices, protected=True)
    sold = FSMField(
        "SOLD", default=EstadoOperacion.PENDIENTE, choices=EstadoOperacion.choices, protected=True
    )
    armador = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    soldador = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fecha_armado = models.DateField("Fecha_Armado", null=True, blank=True)
    fecha_soldadura = models.DateField("Fecha_Soldadura", null=True, blank=True)

    calidad = FSMField(default=EstadoCalidad.PENDIENTE, choices=EstadoCalidad.choices, protected=True)
    # Consecutive RECHAZADO results; its own field, never parsed back from Estado_Detalle.
    ciclo = models.PositiveSmallIntegerField(default=0)
    # "Approved on": a rejection never writes it.
    fecha_qc_metrologia = models.DateField("Fecha_QC_Metrología", null=True, blank=True)

    ocupado_por = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="spools_ocupados"
    )
    fecha_ocupacion = models.DateTimeField("fecha de ocupación", null=True, blank=True)
    operacion_actual = models.CharField(
        "operación actual", max_length=20, blank=True, choices=Operacion.choices
    )
    # Bumped by every state change; conditional writes compare it (optimistic concurrency).
    version = models.PositiveIntegerField("versión", default=0)

    # The latest RECHAZADO and why: what the repairer reads before taking the spool. Every
    # rejection is also in the audit trail (the event's details carry the same values).
    rechazo_defecto = models.ForeignKey(
        Defecto, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="defecto"
    )
    rechazo_nota = models.CharField("nota del rechazo", max_length=500, blank=True)
    rechazo_foto = models.CharField("foto del rechazo", max_length=200, blank=True)
    rechazo_fecha = models.DateTimeField("fecha del rechazo", null=True, blank=True)
    rechazo_inspector = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="inspector"
    )

    # Joint progress (docs/joints.md), kept by the engine's step in the action's transaction from
    # the spool's joints (spools/joints.py, `progress`); all zero for a whole-spool spool. Voided
    # joints do not count. `uniones_sold_total` leaves out FW joints (welded on site);
    # `uniones_sold_listas` counts fitted non-FW joints not yet welded: what a welder can take.
    uniones_total = models.PositiveIntegerField("uniones", default=0)
    uniones_arm = models.PositiveIntegerField("uniones armadas", default=0)
    uniones_sold_total = models.PositiveIntegerField("uniones a soldar", default=0)
    uniones_sold = models.PositiveIntegerField("uniones soldadas", default=0)
    uniones_sold_listas = models.PositiveIntegerField("uniones listas para soldar", default=0)
    pulgadas_arm = models.DecimalField("pulgadas-diámetro ARM", max_digits=10, decimal_places=3, default=0)
    pulgadas_sold = models.DecimalField("pulgadas-diámetro SOLD", max_digits=10, decimal_places=3, default=0)

    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    objects = SpoolQuerySet.as_manager()

    class Meta:
        ordering = ["tag_spool"]
        permissions = [
            ("desbloquear_spool", "Puede desbloquear spools BLOQUEADO"),
            ("liberar_ocupacion", "Puede liberar (forzar) la ocupación de un spool"),
        ]
        indexes = [
            models.Index(fields=["arm", "sold"], name="spool_arm_sold_idx"),
            models.Index(fields=["calidad"], name="spool_calidad_idx"),
        ]
        constraints = [
            # An occupation is whole or absent: never an occupant without its operation.
            models.CheckConstraint(
                condition=(
                    Q(ocupado_por__isnull=True, fecha_ocupacion__isnull=True, operacion_actual="")
                    | (Q(ocupado_por__isnull=False, fecha_ocupacion__isnull=False) & ~Q(operacion_actual=""))
                ),
                name="spool_occupation_whole",
            )
        ]

    def __str__(self) -> str:
        return self.tag_spool

    def refresh_from_db(
        self, using: str | None = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        """Reload from the database, thread-safely.

        django-fsm's FSMModelMixin does it by switching `protected` off and on on the field
        object every thread shares, so two threads refreshing at once crash each other
        ("Direct arm modification is not allowed"). Writing the instance's own __dict__ touches
        nothing shared.
        """
        source = from_queryset if from_queryset is not None else type(self)._base_manager.db_manager(using)
        fresh = source.get(pk=self.pk)
        wanted = None if fields is None else set(fields)
        for field in self._meta.concrete_fields:
            if wanted is None or field.name in wanted or field.attname in wanted:
                self.__dict__[field.attname] = fresh.__dict__[field.attname]
                if field.is_relation:
                    self._state.fields_cache.pop(field.name, None)
        self._state.db = fresh._state.db

    # --- ARM -------------------------------------------------------------------------------

    @transition(
        field=arm,
        source=list(TAKEABLE),
        target=EstadoOperacion.EN_PROGRESO,
        conditions=[_has_materiales, _is_free, _not_blocked],
    )
    def tomar_arm(self, *, worker: Worker, now: datetime.datetime) -> None:
        """TOMAR ARM: the worker occupies the spool and becomes its Armador."""
        self._occupy(worker, Operacion.ARM, now)
        self.armador = worker

    @transition(field=arm, source=EstadoOperacion.EN_PROGRESO, target=EstadoOperacion.PAUSADO)
    def pausar_arm(self) -> None:
        """PAUSAR ARM: release the spool, keep progress."""
        self._release()

    @transition(field=arm, source=EstadoOperacion.EN_PROGRESO, target=EstadoOperacion.COMPLETADO)
    def completar_arm(self, *, worker: Worker, fecha: datetime.date) -> None:
        """COMPLETAR ARM: record the completer and the date, release the spool."""
        self.armador = worker
        self.fecha_armado = fecha
        self._release()

    # --- SOLD ------------------------------------------------------------------------------

    @transition(
        field=sold,
        source=list(TAKEABLE),
        target=EstadoOperacion.EN_PROGRESO,
        conditions=[_has_materiales, _is_free, _arm_started, _not_blocked],
    )
    def tomar_sold(self, *, worker: Worker, now: datetime.datetime) -> None:
        """TOMAR SOLD: allowed once ARM has started (welding fitted joints)."""
        self._occupy(worker, Operacion.SOLD, now)
        self.soldador = worker

    @transition(field=sold, source=EstadoOperacion.EN_PROGRESO, target=EstadoOperacion.PAUSADO)
    def pausar_sold(self) -> None:
        """PAUSAR SOLD: release the spool, keep progress."""
        self._release()

    @transition(
        field=sold,
        source=EstadoOperacion.EN_PROGRESO,
        target=EstadoOperacion.COMPLETADO,
        conditions=[_sold_may_complete],
    )
    def completar_sold(self, *, worker: Worker, fecha: datetime.date) -> None:
        """COMPLETAR SOLD: needs ARM completado (with joints: every non-FW joint welded);
        record completer and date, release."""
        self.soldador = worker
        self.fecha_soldadura = fecha
        self._release()

    # --- joints: releasing with nothing done, and settling after an engineering change ------

    @transition(field=arm, source=EstadoOperacion.EN_PROGRESO, target=EstadoOperacion.PENDIENTE)
    def liberar_arm(self) -> None:
        """Release a spool with joints on which no joint was ever fitted: back to pendiente."""
        self.armador = None
        self._release()

    @transition(field=sold, source=EstadoOperacion.EN_PROGRESO, target=EstadoOperacion.PENDIENTE)
    def liberar_sold(self) -> None:
        """Release a spool with joints on which no joint was ever welded: back to pendiente."""
        self.soldador = None
        self._release()

    @transition(
        field=arm,
        source=[EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO],
        target=EstadoOperacion.COMPLETADO,
        conditions=[_all_fitted, _is_free],
    )
    def cerrar_arm(self, *, fecha: datetime.date) -> None:
        """Every joint is fitted (a joint was voided or retyped): ARM is complete, nobody to credit anew."""
        self.fecha_armado = fecha

    @transition(
        field=sold,
        source=[EstadoOperacion.PENDIENTE, EstadoOperacion.PAUSADO],
        target=EstadoOperacion.COMPLETADO,
        conditions=[_all_welded, _is_free],
    )
    def cerrar_sold(self, *, fecha: datetime.date) -> None:
        """Every non-FW joint is welded (or all are FW): SOLD is complete without a welding session."""
        self.fecha_soldadura = fecha

    @transition(field=arm, source=EstadoOperacion.COMPLETADO, target=EstadoOperacion.PAUSADO)
    def reabrir_arm(self) -> None:
        """A joint was added to a fitted spool: ARM has work again (its progress is kept)."""

    @transition(field=sold, source=EstadoOperacion.COMPLETADO, target=EstadoOperacion.PAUSADO)
    def reabrir_sold(self) -> None:
        """A joint to weld was added to a welded spool: SOLD has work again."""

    # --- METROLOGIA (instant: never occupies) ----------------------------------------------

    @transition(
        field=calidad,
        source=list(INSPECTABLE),
        target=EstadoCalidad.APROBADO,
        conditions=[_welded, _is_free],
    )
    def aprobar(self, *, fecha: datetime.date) -> None:
        """APROBADO: final; records the approval date and resets the rejection series."""
        self.fecha_qc_metrologia = fecha
        self.ciclo = 0

    @transition(
        field=calidad,
        source=list(INSPECTABLE),
        target=EstadoCalidad.RECHAZADO,
        conditions=[_welded, _is_free],
    )
    def rechazar(
        self,
        *,
        defecto: Defecto | None = None,
        nota: str = "",
        foto: str = "",
        inspector: Worker | None = None,
        now: datetime.datetime | None = None,
    ) -> None:
        """RECHAZADO: one more consecutive rejection, with its reason; never writes the approval date."""
        self.ciclo += 1
        self.rechazo_defecto = defecto
        self.rechazo_nota = nota
        self.rechazo_foto = foto
        self.rechazo_fecha = now
        self.rechazo_inspector = inspector

    @transition(field=calidad, source=EstadoCalidad.RECHAZADO, target=EstadoCalidad.BLOQUEADO)
    def bloquear(self) -> None:
        """BLOQUEADO: the rejection limit was reached; only a supervisor can release it."""

    @transition(field=calidad, source=EstadoCalidad.BLOQUEADO, target=EstadoCalidad.RECHAZADO)
    def desbloquear(self) -> None:
        """Supervisor unblock: back to rechazado with a fresh series of attempts."""
        self.ciclo = 0

    # --- REPARACION ------------------------------------------------------------------------

    @transition(
        field=calidad,
        source=list(REPAIRABLE),
        target=EstadoCalidad.EN_REPARACION,
        conditions=[_is_free],
    )
    def tomar_reparacion(self, *, worker: Worker, now: datetime.datetime) -> None:
        """TOMAR REPARACION: the worker occupies the rejected spool to repair it."""
        self._occupy(worker, Operacion.REPARACION, now)

    @transition(field=calidad, source=EstadoCalidad.EN_REPARACION, target=EstadoCalidad.REPARACION_PAUSADA)
    def pausar_reparacion(self) -> None:
        """PAUSAR REPARACION: release, keep the repair's progress."""
        self._release()

    @transition(field=calidad, source=EstadoCalidad.EN_REPARACION, target=EstadoCalidad.PENDIENTE_METROLOGIA)
    def completar_reparacion(self) -> None:
        """COMPLETAR REPARACION: back to inspection; the cycle counter is kept."""
        self._release()

    @transition(
        field=calidad,
        source=[EstadoCalidad.EN_REPARACION, EstadoCalidad.REPARACION_PAUSADA],
        target=EstadoCalidad.RECHAZADO,
    )
    def cancelar_reparacion(self) -> None:
        """CANCELAR REPARACION: abandon the repair; back to rechazado, counter kept."""
        self._release()

    # --- helpers ---------------------------------------------------------------------------

    def _occupy(self, worker: Worker, operacion: str, now: datetime.datetime) -> None:
        self.ocupado_por = worker
        self.fecha_ocupacion = now
        self.operacion_actual = operacion

    def _release(self) -> None:
        self.ocupado_por = None
        self.fecha_ocupacion = None
        self.operacion_actual = ""

    def estado(self, operacion: str) -> str:
        """The state of one operation's machine."""
        return {Operacion.ARM: self.arm, Operacion.SOLD: self.sold}[operacion]  # type: ignore[index]

    @property
    def bloqueado(self) -> bool:
        """True while the spool waits for a supervisor."""
        return self.calidad == EstadoCalidad.BLOQUEADO

    @property
    def estado_detalle(self) -> str:
        """The one-line description of docs/domain.md, "Estado_Detalle" (derived, never parsed back)."""
        return estado_detalle(self)


# --- Estado_Detalle (docs/domain.md, "Estado_Detalle") ----------------------------------------

_HUMAN = {
    "pendiente": "pendiente",
    "en_progreso": "en progreso",
    "pausado": "pausado",
    "completado": "completado",
}


def ciclo_label(ciclo: int) -> str:
    """`Ciclo 2/3`, or `Ciclo 2` when the limit is 0 (unlimited)."""
    limit = settings.ZEUES_MAX_CICLOS
    return f"Ciclo {ciclo}/{limit}" if limit else f"Ciclo {ciclo}"


def _holder(spool: Spool) -> str:
    return spool.ocupado_por.token if spool.ocupado_por else f"({spool.ocupado_por_id})"


def _quality(spool: Spool) -> str | None:
    ciclo = ciclo_label(spool.ciclo)
    return {
        "aprobado": "METROLOGIA APROBADO ✓",
        "rechazado": f"RECHAZADO ({ciclo}) - Pendiente reparación",
        "en_reparacion": f"EN_REPARACION ({ciclo}) - Ocupado: {_holder(spool) if spool.ocupado_por_id else '-'}",
        "reparacion_pausada": f"REPARACION_PAUSADA ({ciclo})",
        "pendiente_metrologia": f"PENDIENTE_METROLOGIA ({ciclo})",
        "bloqueado": "BLOQUEADO - Contactar supervisor",
    }.get(spool.calidad)


def estado_detalle(spool: Spool) -> str:
    """Derive the display string from the spool's fields; it is never parsed back."""
    quality = _quality(spool)
    if quality is not None:
        return quality
    arm, sold = _HUMAN[spool.arm], _HUMAN[spool.sold]
    if spool.ocupado_por_id is not None:
        return f"{_holder(spool)} trabajando {spool.operacion_actual} (ARM {arm}, SOLD {sold})"
    if spool.arm == "completado" and spool.sold == "completado":
        return "Disponible - ARM completado, SOLD completado, Metrología pendiente"
    return f"Disponible - ARM {arm}, SOLD {sold}"


class EventQuerySet(models.QuerySet["Event"]):
    """Events are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("Audit events are immutable")

    def delete(self):
        raise PermissionError("Audit events are immutable")


class Event(models.Model):
    """One immutable audit event (the `Metadata` sheet's successor)."""

    # Insertion order: events of one action share a timestamp, and the sheet's Metadata tab must
    # receive them in a stable order. The UUID is the event's public id.
    seq = models.BigAutoField(primary_key=True)
    id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    timestamp = models.DateTimeField("fecha y hora", db_index=True)
    evento_tipo = models.CharField("tipo", max_length=30, choices=EventType.choices)
    spool = models.ForeignKey(Spool, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    tag_spool = models.CharField("TAG_SPOOL", max_length=100, blank=True)
    worker = models.ForeignKey(
        Worker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name="trabajador",
    )
    worker_token = models.CharField("trabajador", max_length=40, blank=True)
    operacion = models.CharField("operación", max_length=20, blank=True)
    accion = models.CharField("acción", max_length=20, blank=True)
    fecha_operacion = models.DateField("fecha de operación")
    # The authenticated account that sent the action (kiosk, API token owner, supervisor).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField("detalles", default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = "evento"
        verbose_name_plural = "eventos (auditoría)"
        indexes = [
            models.Index(fields=["spool", "seq"], name="event_spool_seq_idx"),
            models.Index(fields=["worker", "timestamp"], name="event_worker_ts_idx"),
            models.Index(fields=["evento_tipo", "timestamp"], name="event_type_ts_idx"),
            models.Index(fields=["evento_tipo", "fecha_operacion"], name="event_type_fecha_idx"),
            models.Index(fields=["spool", "operacion", "seq"], name="event_spool_op_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.evento_tipo} {self.tag_spool}"

    def save(self, *args, **kwargs):
        """Insert only: an existing event is never rewritten."""
        if not self._state.adding:
            raise PermissionError("Audit events are immutable")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused: the audit trail keeps everything."""
        raise PermissionError("Audit events are immutable")


# --- Joints (docs/joints.md) -------------------------------------------------------------------


class TipoUnion(models.TextChoices):
    """The kinds of joint; FW (field weld) is fitted in the shop and welded on site: ARM only."""

    BW = "BW", "BW (a tope)"
    BR = "BR", "BR (ramal)"
    SO = "SO", "SO (socket)"
    FILL = "FILL", "FILL (filete)"
    LET = "LET", "LET (olet)"
    MIT = "MIT", "MIT (inglete)"
    FW = "FW", "FW (soldadura en terreno)"


class UnionQuerySet(models.QuerySet["Union"]):
    """Reusable reads of joints."""

    def vigentes(self) -> UnionQuerySet:
        """Joints that count: not voided."""
        return self.filter(anulada=False)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused when any joint has recorded work: void it instead (occupation/joints.py)."""
        if self.filter(Q(arm_fin__isnull=False) | Q(sold_fin__isnull=False)).exists():
            raise PermissionError("A joint with recorded work is never deleted; void it")
        return super().delete()

    def abiertas(self, operacion: str) -> UnionQuerySet:
        """Joints `operacion` still has to do: ARM unfitted; SOLD unwelded and not FW."""
        qs = self.vigentes()
        if operacion == Operacion.ARM:
            return qs.filter(arm_fin__isnull=True)
        return qs.filter(sold_fin__isnull=True).exclude(tipo=TipoUnion.FW)


class Union(models.Model):
    """One joint of a spool: its number (painted on the pipe), size, type, and who fitted and
    welded it, when. Written only through the engine's step (occupation/engine.py) and the
    supervisor's audited changes (occupation/joints.py); the import creates them."""

    spool = models.ForeignKey(Spool, on_delete=models.PROTECT, related_name="uniones")
    n_union = models.PositiveIntegerField("N_UNION")
    dn = models.DecimalField("DN (pulgadas)", max_digits=7, decimal_places=3)
    tipo = models.CharField("tipo", max_length=4, choices=TipoUnion.choices)

    arm_worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="armador"
    )
    arm_inicio = models.DateTimeField("inicio ARM", null=True, blank=True)
    arm_fin = models.DateTimeField("fin ARM", null=True, blank=True)
    # The shop's day of arm_fin (America/Santiago): PD per fitter and day reads an index.
    arm_fecha = models.DateField("fecha ARM", null=True, blank=True)
    sold_worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="soldador"
    )
    sold_inicio = models.DateTimeField("inicio SOLD", null=True, blank=True)
    sold_fin = models.DateTimeField("fin SOLD", null=True, blank=True)
    sold_fecha = models.DateField("fecha SOLD", null=True, blank=True)

    # Read from the sheet's NDT_* columns (the NDT department's); ZEUES never writes them there.
    ndt_metodo = models.CharField("NDT método", max_length=20, blank=True)
    ndt_informe = models.CharField("NDT informe", max_length=100, blank=True)
    ndt_fecha = models.DateField("NDT fecha", null=True, blank=True)
    ndt_resultado = models.CharField("NDT resultado", max_length=20, blank=True)

    anulada = models.BooleanField("anulada", default=False)
    anulada_motivo = models.CharField("motivo de la anulación", max_length=300, blank=True)
    # Bumped by every change; the sheet's joint outbox compares it (zeues.models.SheetUnionChange).
    version = models.PositiveIntegerField("versión", default=0)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    objects = UnionQuerySet.as_manager()

    class Meta:
        ordering = ["spool_id", "n_union"]
        verbose_name = "unión"
        verbose_name_plural = "uniones"
        constraints = [
            models.UniqueConstraint(fields=["spool", "n_union"], name="union_spool_n_uniq"),
            models.CheckConstraint(condition=Q(dn__gt=0), name="union_dn_positive"),
            # Welded only once fitted; a FW joint is never welded in the shop.
            models.CheckConstraint(
                condition=Q(sold_fin__isnull=True) | Q(arm_fin__isnull=False), name="union_sold_after_arm"
            ),
            models.CheckConstraint(
                condition=Q(sold_fin__isnull=True) | ~Q(tipo="FW"), name="union_fw_never_welded"
            ),
        ]
        indexes = [
            # PD per fitter / welder per day (Gerencia, «Mi registro»): index-only over the period.
            models.Index(fields=["arm_fecha", "arm_worker", "dn"], name="union_arm_fecha_idx"),
            models.Index(fields=["sold_fecha", "sold_worker", "dn"], name="union_sold_fecha_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.spool_id} #{self.n_union}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused once work is recorded: the joint is voided with a reason instead."""
        if self.tiene_trabajo:
            raise PermissionError("A joint with recorded work is never deleted; void it")
        return super().delete(*args, **kwargs)

    @property
    def soldable(self) -> bool:
        """Needs welding in the shop (every type but FW)."""
        return self.tipo != TipoUnion.FW

    @property
    def tiene_trabajo(self) -> bool:
        """Work is recorded on it: it can then only be voided with a reason, never deleted."""
        return self.arm_fin is not None or self.sold_fin is not None

    def is_open(self, operacion: str) -> bool:
        """Still to do for `operacion`: ARM unfitted; SOLD unwelded and not FW (voided never)."""
        if self.anulada or self.done(operacion):
            return False
        return operacion == Operacion.ARM or self.soldable

    def done(self, operacion: str) -> bool:
        """Fitted (ARM) or welded (SOLD)."""
        return (self.arm_fin if operacion == Operacion.ARM else self.sold_fin) is not None

    def worker_of(self, operacion: str) -> Worker | None:
        """Who fitted (ARM) or welded (SOLD) it."""
        return self.arm_worker if operacion == Operacion.ARM else self.sold_worker


# --- Supervisor alerts -----------------------------------------------------------------------


class AlertaQuerySet(models.QuerySet["Alerta"]):
    """Reusable reads of alerts."""

    def abiertas(self) -> AlertaQuerySet:
        """Alerts nobody has answered yet (acknowledged, or the spool unblocked)."""
        return self.filter(atendida_en__isnull=True)


class Alerta(models.Model):
    """A supervisor is needed at a spool: its block, or a worker's call from the kiosk.

    Kept from the audit trail in the same transaction (spools/alerts.py): ALERTA_SUPERVISOR opens
    one, ALERTA_ATENDIDA or the supervisor's unblock closes every open alert of the spool.
    """

    BLOQUEO = "BLOQUEO"
    LLAMADA = "LLAMADA"
    MOTIVOS = [(BLOQUEO, "Spool BLOQUEADO"), (LLAMADA, "Llamada desde el kiosko")]

    spool = models.ForeignKey(Spool, on_delete=models.CASCADE, related_name="alertas")
    motivo = models.CharField(max_length=20, choices=MOTIVOS)
    mensaje = models.CharField(max_length=300, blank=True)
    creada_en = models.DateTimeField()
    # Who called: the worker at the kiosk (none for a block raised by the rejection itself).
    llamada_por = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField("seq del evento que la abrió", unique=True)
    atendida_en = models.DateTimeField(null=True, blank=True)
    atendida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    respuesta = models.CharField(max_length=300, blank=True)

    objects = AlertaQuerySet.as_manager()

    class Meta:
        ordering = ["-creada_en"]
        verbose_name = "alerta para supervisores"
        verbose_name_plural = "alertas para supervisores"
        permissions = [("atender_alerta", "Puede atender alertas de supervisor")]
        indexes = [models.Index(fields=["atendida_en", "creada_en"], name="alerta_abierta_idx")]

    def __str__(self) -> str:
        return f"{self.get_motivo_display()} {self.spool} {self.creada_en:%Y-%m-%d %H:%M}"


# --- KPI facts (issue #7) -------------------------------------------------------------------
# Derived from the audit trail, never edited by hand: spools/kpi_facts.py recomputes a spool's
# rows from its events in the same transaction as every event that changes them, so the manager
# page aggregates a few indexed rows per spool instead of windowing a million events.


class KpiSession(models.Model):
    """One closed occupation session (a TOMAR and the PAUSAR/COMPLETAR/… that ended it)."""

    spool = models.ForeignKey(Spool, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, null=True, on_delete=models.SET_NULL, related_name="+")
    operacion = models.CharField(max_length=20)
    fecha = models.DateField("fecha de operación del TOMAR")
    inicio = models.DateTimeField()
    fin = models.DateTimeField()
    segundos = models.FloatField()
    seq = models.BigIntegerField("seq del TOMAR", unique=True)

    class Meta:
        verbose_name = "sesión (KPI)"
        indexes = [models.Index(fields=["fecha"], name="kpisession_fecha_idx")]

    def __str__(self) -> str:
        return f"{self.operacion} {self.inicio:%Y-%m-%d %H:%M} {self.segundos:.0f} s"


class KpiInspection(models.Model):
    """One metrología result, numbered among the spool's inspections (`intento` 1 = first)."""

    spool = models.ForeignKey(Spool, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, null=True, on_delete=models.SET_NULL, related_name="+")
    fecha = models.DateField()
    intento = models.PositiveIntegerField()
    aprobado = models.BooleanField()
    seq = models.BigIntegerField(unique=True)

    class Meta:
        verbose_name = "inspección (KPI)"
        indexes = [models.Index(fields=["fecha"], name="kpiinspection_fecha_idx")]

    def __str__(self) -> str:
        return f"{self.fecha} intento {self.intento} {'APROBADO' if self.aprobado else 'RECHAZADO'}"


class KpiStage(models.Model):
    """One cycle or wait, anchored on a completion event (its date, its worker)."""

    ARM = "ARM"
    SOLD = "SOLD"
    ARM_SOLD = "ARM_SOLD"
    SOLD_METROLOGIA = "SOLD_METROLOGIA"

    spool = models.ForeignKey(Spool, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, null=True, on_delete=models.SET_NULL, related_name="+")
    etapa = models.CharField(max_length=20)
    fecha = models.DateField()
    segundos = models.FloatField()
    seq = models.BigIntegerField("seq del evento ancla")

    class Meta:
        verbose_name = "etapa (KPI)"
        indexes = [models.Index(fields=["fecha", "etapa"], name="kpistage_fecha_etapa_idx")]
        constraints = [models.UniqueConstraint(fields=["seq", "etapa"], name="kpistage_seq_etapa_uniq")]

    def __str__(self) -> str:
        return f"{self.etapa} {self.fecha} {self.segundos:.0f} s"


class KpiCompletion(models.Model):
    """One completion: COMPLETAR ARM or SOLD, or a metrología APROBADO (its date, its worker)."""

    spool = models.ForeignKey(Spool, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, null=True, on_delete=models.SET_NULL, related_name="+")
    operacion = models.CharField(max_length=20)
    fecha = models.DateField()
    seq = models.BigIntegerField(unique=True)

    class Meta:
        verbose_name = "completado (KPI)"
        # Covers completed-per-day (an index-only scan of the period, in group order).
        indexes = [models.Index(fields=["fecha", "operacion", "spool"], name="kpicompletion_fecha_op_idx")]

    def __str__(self) -> str:
        return f"{self.operacion} {self.fecha}"


class KpiUnionDia(models.Model):
    """Joints done per day, operation and worker, and their PD (Gerencia's pulgadas-diámetro).

    The sum of the `Union` rows with that `arm_fecha`/`arm_worker` (ARM) or `sold_fecha`/
    `sold_worker` (SOLD), voided ones left out, kept by adding each action's change in its own
    transaction (`spools.kpi_facts.union_days_add`: an atomic upsert, so two spools finished by one
    welder at once both count). A year of a 50,000-spool shop is ~20,000 rows instead of 500,000
    joints. `manage.py kpi_facts --check/--rebuild` compares it with the joints and rebuilds it.
    """

    fecha = models.DateField()
    operacion = models.CharField(max_length=4)
    worker = models.ForeignKey(Worker, null=True, on_delete=models.SET_NULL, related_name="+")
    uniones = models.IntegerField(default=0)
    pulgadas = models.DecimalField(max_digits=12, decimal_places=3, default=0)

    class Meta:
        verbose_name = "uniones por día (KPI)"
        constraints = [
            models.UniqueConstraint(fields=["fecha", "operacion", "worker"], name="kpiuniondia_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.fecha} {self.operacion} {self.worker_id}: {self.uniones} ({self.pulgadas} PD)"
