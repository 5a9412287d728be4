"""What the setup services share: field lists, input cleaning, keys, audit snapshots, reordering."""

import math
import re
from typing import Any

from flask_babel import gettext as _

from scorecard.services.errors import DomainError

ANCHOR_POINTS = ("1", "2", "3", "4")
MAX_WEIGHT = 100.0
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CRITERION_FIELDS = (
    "key",
    "dimension",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "weight",
    "must_have",
    "veto_eligible",
) + tuple(f"anchor{p}_{lang}" for p in ANCHOR_POINTS for lang in ("zh", "en"))


def _bi(prefix: str, texts: dict[str, str] | None) -> dict[str, str]:
    texts = texts or {}
    return {f"{prefix}_zh": texts.get("zh", ""), f"{prefix}_en": texts.get("en", "")}


def _snap(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited values of an object: plain JSON types only."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        out[name] = value.value if hasattr(value, "value") else value
    return out


# --- validation helpers --------------------------------------------------------------------


def parse_weight(value: Any, field: str = "weight") -> float:
    """A weight: a finite number greater than 0 (at most 100), else DomainError."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise DomainError(field, _("Enter a number greater than 0.")) from None
    if not math.isfinite(number) or number <= 0:
        raise DomainError(field, _("Enter a number greater than 0."))
    if number > MAX_WEIGHT:
        raise DomainError(field, _("A weight can be at most %(max)s.", max=int(MAX_WEIGHT)))
    return number


def _clean(text: Any, limit: int | None = None) -> str:
    value = "" if text is None else str(text).strip()
    return value[:limit] if limit else value


def _need_name(values: dict[str, Any], prefix: str, field: str) -> None:
    if not (values.get(f"{prefix}_zh") or values.get(f"{prefix}_en")):
        raise DomainError(field, _("Enter a name in Chinese or English."))


def slugify(text: str, fallback: str) -> str:
    """A short lower-case key from English text, or `fallback` when nothing is left."""
    slug = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:40].strip("_")
    return slug or fallback


def _unique_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key = base[: 40 - len(suffix)] + suffix
        n += 1
    return key


def _reorder(items: list, item: object, direction: int) -> bool:
    """Swap `item` with its neighbour; positions are renumbered 0..n-1. False at an edge."""
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    index = ordered.index(item)
    target = index + direction
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, obj in enumerate(ordered):
        obj.position = position
    return True
