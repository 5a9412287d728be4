"""What the interview kit page shows, built from the rows its view reads (interviews/kit.html)."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup

from scorecard.database import core
from scorecard.extensions import db
from scorecard.i18n import bilingual, bilingual_text, current_locale
from scorecard.interviews.texts import kit_messages_json, kit_texts
from scorecard.models import Criterion, Dimension, Question, Scorecard
from scorecard.services import scorecards as service
from scorecard.services.scorecards import statements as scorecard_sql

# The version's texts as plain rows: a kit shows dozens of them, and building a model object
# for each cost more than the rest of the page (scripts/bench_kit.py).
_CRITERIA = (
    sa.select(Criterion.__table__)
    .where(Criterion.__table__.c.version_id == sa.bindparam("version_id"))
    .order_by(Criterion.__table__.c.position, Criterion.__table__.c.id)
)
_QUESTIONS = (
    sa.select(Question.__table__)
    .where(Question.__table__.c.version_id == sa.bindparam("version_id"))
    .order_by(Question.__table__.c.position, Question.__table__.c.id)
)


@lru_cache(maxsize=512)
def version_texts(version_id: int, token: str) -> tuple[tuple[sa.Row, ...], tuple[sa.Row, ...]]:
    """A scorecard version's criteria and questions, read once per (version, content token)
    and kept in this worker.

    Every change to a version's criteria or questions gives it a new random token in the same
    transaction (`models.job._renew_content_tokens`), and the kit reads the token beside the
    scorecard, so a kept copy serves only while it is the version's content, in every worker
    and instance. (A copy read just after an edit may hold the newer rows under the older
    token: no request reads that token again.) Plain immutable rows, nothing of a user or a
    scorecard.
    """
    params = {"version_id": version_id}
    crit = tuple(db.session.execute(_CRITERIA, params).all())
    return crit, tuple(db.session.execute(_QUESTIONS, params).all())


class FlagRow(NamedTuple):
    """One of the job's red flags, and whether this scorecard ticks it."""

    id: int
    ticked: bool
    label_zh: str
    label_en: str
    description_zh: str
    description_en: str


def kit_content(card_id: int, job_id: int) -> tuple[list[Sequence[Any]], list[FlagRow]]:
    """The scorecard's ratings and STAR notes (rows of statements.CONTENT) and the job's
    red flags in their order, from one statement (statements.KIT_CONTENT)."""
    rows = core(scorecard_sql.KIT_CONTENT, {"card_id": card_id, "job_id": job_id}).all()
    content = [row[:7] for row in rows if row[0] != "f"]
    flags = [FlagRow(row[1], bool(row[2]), *row[3:7]) for row in rows if row[0] == "f"]
    return content, flags


def kit_context(
    card: Scorecard,
    crit_rows: Sequence[sa.Row],
    question_rows: Sequence[sa.Row],
    job_id: int,
) -> dict[str, Any]:
    """The template's values for one scorecard: its criteria, questions, red flags, the
    field values, the texts for the page and its script, and the script's URLs."""
    messages, labels = kit_texts()
    locale = current_locale()
    content, flag_rows = kit_content(card.id, job_id)
    values = service.field_values(
        card, [f.id for f in flag_rows], {f.id for f in flag_rows if f.ticked}, content
    )
    return {
        "criteria": [
            {
                "id": c.id,
                "html": criterion_html(c, locale, values.get(f"rating.{c.id}.value", "untouched")),
                "note": values.get(f"rating.{c.id}.note", ""),
            }
            for c in crit_rows
        ],
        "questions": [
            {**fixed, "star": _star_values(fixed["star"], values)}
            for fixed in question_texts(crit_rows, question_rows, locale)
        ],
        "flags": [
            {
                "id": f.id,
                "field": f"flag.{f.id}",
                "checked": values.get(f"flag.{f.id}", False),
                "label": bilingual(f, "label", locale),
                "plain": bilingual_text(f, "label", locale),
                "description": _optional(f, "description", locale),
            }
            for f in flag_rows
        ],
        "scale": {v: labels[f"scale.{v}"] for v in (1, 2, 3, 4)},
        "values": values,
        "urls": _urls(card.id),
        "L": labels,
        "messages": messages,
        "messages_json": kit_messages_json(),
        "text_max": service.TEXT_MAX,
        "reason_max": service.REASON_MAX,
    }


def _optional(obj: object, field: str, locale: str) -> Markup | str:
    """A text the content may leave out in both languages: "" then, not a fallback mark."""
    if getattr(obj, f"{field}_zh") or getattr(obj, f"{field}_en"):
        return bilingual(obj, field, locale)
    return ""


@lru_cache(maxsize=512)
def question_texts(
    crit_rows: tuple[sa.Row, ...], question_rows: tuple[sa.Row, ...], locale: str
) -> tuple[dict[str, Any], ...]:
    """Each question's fixed part — its text, the criterion it probes, its guidance and the
    STAR fields' names and labels — for one version's rows (as `version_texts` keeps them)
    and language. Kept like a criterion's rendering: the rows are the key, so changed
    content is another key. The caller copies each dict and adds the scorecard's values.
    """
    _messages, labels = kit_texts()
    names = {c.id: bilingual(c, "name", locale) for c in crit_rows}
    parts = [(p, labels[p]) for p in service.STAR_PARTS]
    questions = []
    for n, q in enumerate(question_rows, start=1):
        qlabel = labels["question_n"].replace("{n}", str(n))
        star = tuple(
            (part_label, f"star.{q.id}.{part}", f"{qlabel} · {part_label}")
            for part, part_label in parts
        )
        questions.append(
            {
                "id": q.id,
                "text": bilingual(q, "text", locale),
                "criterion": names.get(q.criterion_id, ""),
                "star": star if q.star else None,
                "guidance": _optional(q, "guidance", locale),
            }
        )
    return tuple(questions)


def _star_values(
    star: tuple[tuple[str, str, str], ...] | None, values: dict[str, Any]
) -> list[tuple[str, str, str, str]] | None:
    """A question's STAR fields with this scorecard's texts in them."""
    if star is None:
        return None
    return [(label, fid, aria, values.get(fid, "")) for label, fid, aria in star]


def _urls(card_id: int) -> dict[str, str]:
    """The JSON routes the kit's script calls: all hang off the kit's own address."""
    here = url_for("interviews.kit", card_id=card_id)
    return {
        "save": f"{here}/save",
        "submit": f"{here}/submit",
        "edit": f"{here}/edit",
        "state": f"{here}/state",
        "ping": url_for("interviews.ping"),
        "login": url_for("auth.login", next=here),
    }


@lru_cache(maxsize=2048)
def criterion_html(c: sa.Row, locale: str, current: int | str | None) -> Markup:
    """One criterion of the kit up to its note's text (interviews/_criterion.html).

    A pure function of its arguments — the criterion's row as read in this request (every
    column), the language and the rating chosen — so a kept rendering is right in every
    worker and after any edit: changed content is another key. It holds no note and nothing
    of the user. Rendering each criterion's anchors anew was most of the page's time
    (scripts/bench_kit.py --profile).
    """
    _messages, labels = kit_texts()
    scale = {v: labels[f"scale.{v}"] for v in (1, 2, 3, 4)}
    crit = {
        "id": c.id,
        "vfield": f"rating.{c.id}.value",
        "nfield": f"rating.{c.id}.note",
        "not_assessed": current is None,
        "name": bilingual(c, "name", locale),
        "dimension": labels[f"dimension.{Dimension(c.dimension).value}"],
        "must_have": c.must_have,
        "description": _optional(c, "description", locale),
        "anchors": [
            (v, scale[v], bilingual(c, f"anchor{v}", locale), current == v) for v in (1, 2, 3, 4)
        ],
    }
    template = current_app.jinja_env.get_template("interviews/_criterion.html")
    # An .html template renders with autoescaping: every value in it is escaped already
    # (R11's hostile criterion names and anchors go through here), so its output is markup.
    html = template.render(c=crit, L=labels, text_max=service.TEXT_MAX)
    return Markup(html)  # nosec B704 - the output of an autoescaping template
