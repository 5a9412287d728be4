"""The matrix's query string: sort, filters and search read from a request and checked.

Unknown values are dropped with a message in the user's language (never a 500); links keep
the current choices (`Query.args`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from scorecard.scoring import FLAG_KINDS, RECOMMENDATIONS
from scorecard.services.matrix import SEARCH_MAX, Filters, columns, stage_values
from scorecard.services.recommendations import JobScoring


@dataclass
class Query(Filters):
    """The matrix's sort, filters and search, read from query arguments and checked."""

    errors: list[str] = field(default_factory=list)

    def args(self, **override: str) -> dict[str, str]:
        """Query arguments for a link: the current ones with some replaced, empties dropped."""
        values = {
            "sort": self.sort,
            "dir": self.direction,
            "stage": self.stage,
            "rec": self.recommendation,
            "flag": self.flag,
            "q": self.q,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}


def parse_query(args: Mapping[str, str], scoring: JobScoring) -> Query:
    """Read sort/filter arguments; an unknown value is dropped with a message, never a 500."""
    query = Query()
    sort = (args.get("sort") or "").strip()
    if sort:
        if sort in columns(scoring):
            query.sort = sort
        else:
            query.errors.append(
                _(
                    "There is no column “%(value)s” to sort by: sorted by overall score instead.",
                    value=sort[:40],
                )
            )
    direction = (args.get("dir") or "").strip()
    if direction:
        if direction in ("asc", "desc"):
            query.direction = direction
        else:
            query.errors.append(_("Sort order must be ascending or descending."))
    elif sort == "name" or sort == "stage":
        query.direction = "asc"
    checks: list[tuple[str, str, Sequence[str], Callable[[str], str]]] = [
        (
            "stage",
            "stage",
            stage_values(scoring),
            lambda v: _("There is no stage “%(value)s” in this job: filter ignored.", value=v),
        ),
        (
            "rec",
            "recommendation",
            [*RECOMMENDATIONS, "positive", "none"],
            lambda v: _("There is no recommendation “%(value)s”: filter ignored.", value=v),
        ),
        (
            "flag",
            "flag",
            [*FLAG_KINDS, "any", "none"],
            lambda v: _("There is no flag “%(value)s”: filter ignored.", value=v),
        ),
    ]
    for arg, attr, allowed, message in checks:
        value = (args.get(arg) or "").strip()
        if not value:
            continue
        if value in allowed:
            setattr(query, attr, value)
        else:
            query.errors.append(message(value[:40]))
    query.q = (args.get("q") or "").strip()[:SEARCH_MAX]
    return query
