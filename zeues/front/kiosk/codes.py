"""What a scanned or typed code means: a spool's label, a worker's badge, or nothing.

A keyboard-wedge scanner types a label's QR URL (`https://host/kiosko/spool/<tag>/`) or its tag,
or a badge (the worker's number, maybe with a prefix: `W-93`), then Enter. Tags are found
whatever their case and surrounding spaces. A code of digits only is a badge (the name buttons
post the bare number too); anything else is a spool if one has that tag, else a badge if it
holds exactly one number.
"""

from __future__ import annotations

import re

from spools.models import Spool

MAX_CODE = 300  # longer is not a code (a stuck key, a pasted page)
_LABEL_URL = re.compile(r"/kiosko/spool/([^/?#]+)/?")


def clean(code: str) -> str:
    """The tag inside a label's URL, or the code itself, without surrounding spaces."""
    code = (code or "").strip()
    match = _LABEL_URL.search(code)
    return match.group(1).strip() if match else code


def find_spool(code: str) -> Spool | None:
    """The spool whose tag is `code` (a label URL works too), ignoring case and spaces."""
    tag = clean(code)
    if not tag or len(tag) > MAX_CODE:
        return None
    spools = Spool.objects.with_people()
    return spools.filter(tag_spool=tag).first() or spools.filter(tag_spool__iexact=tag).first()


def badge_number(code: str) -> int | None:
    """The worker number in a badge (`93`, `W-93`, `ZEUES:93`); None unless exactly one number."""
    numbers = re.findall(r"\d+", (code or "").strip()[:MAX_CODE])
    return int(numbers[0]) if len(numbers) == 1 and len(numbers[0]) <= 9 else None


def is_number(code: str) -> bool:
    """Digits only: a tapped name or a bare badge, never looked up as a spool."""
    return (code or "").strip().isdigit()


def shown(code: str, limit: int = 40) -> str:
    """A code as echoed in a message: at most `limit` characters."""
    code = (code or "").strip()
    return code if len(code) <= limit else code[: limit - 1] + "…"
