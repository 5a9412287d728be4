"""R11's plan: which hostile strings go into which free-text column in which round.

Everything here is ordered by table and attribute name and by payload number, never by a
set or a registry, so the plan is the same under every hash seed (checked by running this
module under two seeds: `python -m tests.browser.xss_plan` prints the plan as JSON).
Every payload reaches every free-text column: a column too short for all of them at once
gets them over several rounds.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa

# Each is detected on its own (a dialog, an on* handler, an inline script, a javascript: URL,
# a frame, SSTI49, or the xss-probe class on markup that should have stayed text), so none
# needs its neighbours in a string, and they are short enough to share a 120-character name.
PAYLOADS = (
    '<script>alert("{t}")</script>',
    '"><img src=x onerror=alert("{t}")>',
    "'><svg onload=alert('{t}')>",
    '</textarea></title><b class=xss-probe onclick=alert("{t}")>x</b>',
    '</script><script>alert("{t}")</script>',
    'javascript:alert("{t}")',
    "SSTI{{{{7*7}}}} {t} ${{7*7}}",
    "<a href=\"javascript:alert('{t}')\">x</a>",
    "<iframe srcdoc=\"<script>parent.alert('{t}')</script>\"></iframe>",
)
# A URL is only a URL at the start of a value: this payload leads every string it is in.
LEADING = 5

# Long text columns that hold no user-written text (addresses, hashes, machine messages).
# Shorter String columns (keys, codes, tokens, enums) cannot hold a payload: not free text.
NOT_FREE_TEXT = {
    "application_results.flag_kinds",  # the engine's flag kinds, written by the results cache
    "candidates.email",
    "login_failures.email",
    "reminders.error",
    "users.email",
    "users.password_hash",
}


def tag(row_no: int) -> str:
    """'X0123': fixed width, so a string's length depends only on its payloads."""
    assert row_no < 10_000
    return f"X{row_no:04d}"


def hostile(row_no: int, payload_nos: tuple[int, ...]) -> str:
    return "".join(PAYLOADS[k].format(t=tag(row_no)) for k in payload_nos)


SIZES = [len(hostile(0, (k,))) for k in range(len(PAYLOADS))]
MIN_LENGTH = max(SIZES)


@dataclass(frozen=True)
class Field:
    model: type
    attr: str
    length: int | None

    @property
    def name(self) -> str:
        return f"{self.model.__tablename__}.{self.attr}"


def free_text_columns() -> list[Field]:
    """Every free-text column of every mapped model, by table name then attribute name."""
    from scorecard.extensions import db

    out = []
    mappers = sorted(db.Model.registry.mappers, key=lambda m: m.class_.__tablename__)
    for mapper in mappers:
        for attr, column in sorted(mapper.columns.items()):
            if column.primary_key or column.foreign_keys:
                continue
            if isinstance(column.type, sa.Enum) or not isinstance(column.type, sa.String):
                continue
            length = getattr(column.type, "length", None)
            field = Field(mapper.class_, attr, length)
            if field.name in NOT_FREE_TEXT or (length is not None and length < MIN_LENGTH):
                continue
            out.append(field)
    return out


def pack(length: int | None) -> list[tuple[int, ...]]:
    """The payload numbers in as few strings as fit `length` (an exhaustive search)."""
    order = sorted(range(len(PAYLOADS)), key=lambda k: (-SIZES[k], k))
    if length is None or sum(SIZES) <= length:
        groups = [order]
    else:
        groups = next(g for n in range(2, len(PAYLOADS) + 1) if (g := _fit(order, n, length)))
    return [tuple(sorted(g, key=lambda k: (k != LEADING, k))) for g in groups]


def _fit(items: list[int], bins: int, length: int) -> list[list[int]] | None:
    """`items` in `bins` strings of at most `length` characters, or None."""
    groups: list[list[int]] = [[] for _ in range(bins)]
    sums = [0] * bins

    def place(i: int) -> bool:
        if i == len(items):
            return True
        size = SIZES[items[i]]
        for b in range(bins):
            if sums[b] + size <= length:
                groups[b].append(items[i])
                sums[b] += size
                if place(i + 1):
                    return True
                groups[b].pop()
                sums[b] -= size
            if not groups[b]:
                break  # the other empty strings are the same as this one
        return False

    return groups if place(0) else None


def plan(fields: list[Field]) -> list[dict[str, tuple[int, ...]]]:
    """Round → field name → the payload numbers its rows get in that round."""
    packs = {f.name: pack(f.length) for f in fields}
    rounds = max(len(p) for p in packs.values())
    return [{name: p[r % len(p)] for name, p in packs.items()} for r in range(rounds)]


def describe() -> dict:
    fields = free_text_columns()
    return {
        "fields": [[f.name, f.length] for f in fields],
        "plan": [{name: list(ks) for name, ks in r.items()} for r in plan(fields)],
    }


if __name__ == "__main__":
    import scorecard.models  # noqa: F401  (maps every model)

    print(json.dumps(describe()))
