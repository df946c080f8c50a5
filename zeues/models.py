"""Project tables beside the shop's records: API tokens, and the Google Sheets mirror's outbox and state.

They sit on the records floor with spools/ (docs/architecture.md): the engine queues the outbox in
every action's transaction, the mirror reads it, and nothing here imports an app of ours.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone


def hash_token(raw: str) -> str:
    """SHA-256 of a raw token; only the hash is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, raw: str) -> ApiToken | None:
        """The active token matching `raw`, with its active user, or None."""
        return (
            self.select_related("user")
            .filter(key_hash=hash_token(raw), activo=True, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    """A bearer token for the JSON API, owned by a user (a kiosk account or an integration)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="usuario"
    )
    key_hash = models.CharField("hash de la clave", max_length=64, unique=True, editable=False)
    prefix = models.CharField("prefijo", max_length=8, editable=False)
    nombre = models.CharField(max_length=100, blank=True)
    activo = models.BooleanField(default=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "token de API"
        verbose_name_plural = "tokens de API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: models.Model, nombre: str = "") -> tuple[ApiToken, str]:
        """Create a token for `user`; returns it and the raw secret (shown once, never stored)."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:8], nombre=nombre)
        return token, raw


# --- Google Sheets mirror (docs/sheets.md) -------------------------------------------------


class SheetSpoolChange(models.Model):
    """Outbox: one row per spool whose ZEUES-owned cells the sheet has not received yet.

    Written in the action's transaction (by the engine's step, `queue`); a later change of the same
    spool updates the row, so the table never holds more rows than there are spools, even when
    the mirror stays off for months. The worker deletes a row only after Google confirmed a
    write of that version or a newer one.
    """

    spool = models.OneToOneField("spools.Spool", primary_key=True, on_delete=models.CASCADE, related_name="+")
    # The spool's version at its latest change; the worker deletes the row only up to the
    # version it wrote, so a change made during a cycle is sent in the next one.
    version = models.PositiveIntegerField("versión")
    # The oldest change the sheet has not received: the mirror's lag.
    first_change_at = models.DateTimeField("primer cambio sin enviar", db_index=True)
    # Why the worker could not write it (tag missing from the sheet or duplicated); retried.
    problema = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "cambio pendiente para la planilla"
        verbose_name_plural = "cambios pendientes para la planilla"

    def __str__(self) -> str:
        return f"spool {self.spool_id} v{self.version}"

    @classmethod
    def queue(cls, spool: Any) -> None:
        """Queue the spool's new state for the sheet; call inside the action's transaction.

        One row per spool: a later change updates its version and keeps the time of the oldest
        change the sheet has not seen (the lag). Recorded even while the mirror is off, so turning
        it on later sends everything (the table never exceeds one row per spool).
        """
        change = SheetSpoolChange(spool_id=spool.pk, version=spool.version, first_change_at=timezone.now())
        SheetSpoolChange.objects.bulk_create(
            [change], update_conflicts=True, unique_fields=["spool"], update_fields=["version"]
        )


class SheetUnionChange(models.Model):
    """Outbox of joints: one row per joint whose ARM_*/SOL_* cells the sheet has not received yet.

    Like SheetSpoolChange: written in the action's transaction (the engine's step and the
    supervisor's joint changes, `queue`), one row per joint at most, deleted by the mirror only
    up to the version Google confirmed.
    """

    union = models.OneToOneField("spools.Union", primary_key=True, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField("versión")
    first_change_at = models.DateTimeField("primer cambio sin enviar", db_index=True)
    problema = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "unión pendiente para la planilla"
        verbose_name_plural = "uniones pendientes para la planilla"

    def __str__(self) -> str:
        return f"unión {self.union_id} v{self.version}"

    @classmethod
    def queue(cls, unions: Any) -> None:
        """Queue the joints' new state for the sheet; call inside the action's transaction."""
        now = timezone.now()
        rows = [SheetUnionChange(union_id=u.pk, version=u.version, first_change_at=now) for u in unions]
        if rows:
            SheetUnionChange.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["union"], update_fields=["version"]
            )


class SheetSyncState(models.Model):
    """The mirror's bookkeeping and status (a single row, id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # Every event with seq <= cursor is in Metadata (or is not mirrored: IMPORT).
    event_cursor = models.BigIntegerField("cursor de eventos", default=0)
    # Set before an append is sent and cleared once it is recorded: when set at the start of a
    # cycle, Google may have applied that append, and the worker checks the sheet before
    # appending again.
    append_pending_upto = models.BigIntegerField("envío pendiente hasta", null=True, blank=True)
    # Last row of Metadata after our latest confirmed append (where the tail check starts).
    metadata_last_row = models.PositiveIntegerField("última fila de Metadata", default=0)
    last_cycle_at = models.DateTimeField("último ciclo", null=True, blank=True)
    last_success_at = models.DateTimeField("último ciclo correcto", null=True, blank=True)
    last_error = models.TextField("último error", blank=True)
    last_error_at = models.DateTimeField("fecha del último error", null=True, blank=True)
    paused_reason = models.TextField("motivo de la pausa", blank=True)
    # Tags the sheet lacks or repeats, as last seen: {"sin_fila": [...], "duplicados": {tag: [rows]}}.
    avisos = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "estado del espejo en Google Sheets"
        verbose_name_plural = "estado del espejo en Google Sheets"

    def __str__(self) -> str:
        return "Espejo en Google Sheets"

    @classmethod
    def load(cls) -> SheetSyncState:
        """The single state row, created on first use."""
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class IdempotencyKey(models.Model):
    """The first answer to a request that may be retried: a kiosk form's one-time key, or an API
    call's `Idempotency-Key` header (zeues/idempotency.py).

    The row is inserted in the same transaction as the action it answers, so it exists exactly
    when the action committed: a retry after a lost answer gets the first answer back, a retry
    after a crash runs the action (nothing had been written).
    """

    scope = models.CharField("ámbito", max_length=60)  # "api:<user id>" or "kiosk:<user id>"
    key = models.CharField("clave", max_length=100)
    fingerprint = models.CharField("huella", max_length=64)  # SHA-256 of what was asked
    status = models.PositiveSmallIntegerField("estado HTTP", default=0)
    answer = models.JSONField("respuesta", null=True)
    created_at = models.DateTimeField("creada", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "clave de idempotencia"
        verbose_name_plural = "claves de idempotencia"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


# --- Kiosk tablets' sessions (docs/kiosk.md, "A lost or stolen tablet") ----------------------


class TabletAccount(User):
    """A kiosk tablet's account (a user of the Kioscos group), as admin lists it."""

    class Meta:
        proxy = True
        verbose_name = "tablet (cuenta de kiosko)"
        verbose_name_plural = "tablets (cuentas de kiosko)"
        permissions = [
            ("cerrar_sesion_tablet", "Puede cerrar la sesión de una tablet"),
            # On this proxy because it is the project's account model; it covers every account.
            ("desbloquear_login", "Puede desbloquear el inicio de sesión de una cuenta"),
        ]


class TabletSession(models.Model):
    """One logged-in session of a kiosk tablet's account: which session to end, and when it was last used.

    Recorded by zeues/front/kiosk/tablets.py on the session's first request and refreshed at most
    once a minute; the session itself stays wherever SESSION_ENGINE keeps it.
    """

    session_key = models.CharField("clave de sesión", max_length=40, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tablet_sessions",
        verbose_name="cuenta",
    )
    started_at = models.DateTimeField("primera actividad", default=timezone.now)
    last_seen_at = models.DateTimeField("última actividad", default=timezone.now)

    class Meta:
        verbose_name = "sesión de tablet"
        verbose_name_plural = "sesiones de tablets"

    def __str__(self) -> str:
        return f"{self.user_id} {self.last_seen_at:%Y-%m-%d %H:%M}"
