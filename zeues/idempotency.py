"""One answer per request that may be retried: the kiosk's one-time form keys and the API's
`Idempotency-Key` header.

    status, answer, replayed = once(scope, key, fingerprint, run)

`run()` performs the action and returns `(status, answer)`. The claim (a row with a unique
`(scope, key)`), the action and its answer are written in **one transaction**:

- a retry after the answer was lost (the tablet's connection reset) finds the row and gets the
  first answer back, without running anything;
- a retry that arrives while the first request still runs waits on the row's unique index until
  the first commits (then gets its answer) or rolls back (then runs);
- a crash (a killed process, a dropped database connection) rolls the claim back with the action,
  so the retry runs it: no key is ever left "pending";
- the same key with a different request (another body, another tag) is refused, `KeyReused`.

Answers of 500 and above are not kept (`run` signals one by returning such a status): the
transaction rolls back, and a retry runs again. Keys are kept `TTL` and purged now and then.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from zeues.lib.errors import DatosInvalidos, ZeuesError
from zeues.models import IdempotencyKey

TTL = datetime.timedelta(hours=24)
PURGE_CHANCE = 0.01  # one claim in a hundred deletes the expired keys
MAX_KEY = 100


class KeyReused(ZeuesError):
    """The key was already used for a different request."""

    code = "IDEMPOTENCY_KEY_REUSADA"
    status = 422
    default_message = "Esta clave de idempotencia ya se usó para otra petición distinta."


class _Discard(Exception):
    """Roll the claim back with the action: the answer is not one to replay (5xx)."""

    def __init__(self, status: int, answer: Any) -> None:
        super().__init__(status)
        self.status, self.answer = status, answer


def fingerprint(*parts: object) -> str:
    """A stable digest of what a request asks (method, path, body; or the form's fields)."""
    raw = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def once(scope: str, key: str, print_: str, run: Callable[[], tuple[int, Any]]) -> tuple[int, Any, bool]:
    """Run `run` once per `(scope, key)`; returns its status and answer, and whether replayed."""
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=print_)
            except IntegrityError:
                first = IdempotencyKey.objects.get(scope=scope, key=key)
                if first.fingerprint != print_:
                    raise KeyReused(data={"clave": key[:MAX_KEY]}) from None
                return first.status, first.answer, True
            status, answer = run()
            if status >= 500:
                raise _Discard(status, answer)
            IdempotencyKey.objects.filter(scope=scope, key=key).update(status=status, answer=answer)
    except _Discard as discarded:
        return discarded.status, discarded.answer, False
    if random.random() < PURGE_CHANCE:  # noqa: S311 - housekeeping, not a secret
        purge()
    return status, answer, False


def load(scope: str, key: str) -> tuple[int, Any] | None:
    """The kept answer for `(scope, key)`, or None."""
    row = IdempotencyKey.objects.filter(scope=scope, key=key).values_list("status", "answer").first()
    return (row[0], row[1]) if row else None


def purge() -> int:
    """Delete keys older than TTL; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted


def api_once(request: HttpRequest, key: str, call: Callable[[], JsonResponse]) -> JsonResponse:
    """An API call with an `Idempotency-Key` header (settings.ZEUES_API_IDEMPOTENCY).

    The key is the client's (1 to 100 visible ASCII characters), scoped to the token's account;
    the request is its method, path and body. A replayed answer says `Idempotent-Replayed: true`.
    """
    key = key.strip()
    if not key or len(key) > MAX_KEY or not (key.isascii() and key.isprintable()):
        raise DatosInvalidos(
            "La cabecera Idempotency-Key debe tener de 1 a 100 caracteres ASCII visibles.",
            data={"campos": {"Idempotency-Key": ["inválida"]}},
        )
    asked = fingerprint(request.method, request.path, hashlib.sha256(request.body).hexdigest())

    def run() -> tuple[int, Any]:
        response = call()
        return response.status_code, response.content.decode()  # kept as sent, byte for byte

    status, answer, replayed = once(f"api:{request.user.pk}", key, asked, run)
    response = JsonResponse({}, status=status)
    response.content = answer.encode()
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
