"""CSV import of self-identification: the checked preview, the import, and the encrypted
round trip of the file through the preview page."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Application, Candidate, Job, User
from scorecard.services import audit
from scorecard.services.candidates import Preview, RowProblem, csv_records
from scorecard.services.errors import DomainError

from .self_identification import can_enter, record_self_identification
from .settings import PREFERS_NOT, categories_of, enabled, enabled_anywhere

IMPORT_COLUMNS = ("email", "candidate", "consent")
IMPORT_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "邮箱": "email",
    "电子邮件": "email",
    "candidate": "candidate",
    "candidate id": "candidate",
    "候选人": "candidate",
    "consent": "consent",
    "同意": "consent",
}
CONSENT_WORDS = {"yes", "y", "true", "1", "是", "同意"}
PREFERS_NOT_WORDS = {PREFERS_NOT, "prefers not to say", "不愿透露"}
SEAL_HOURS = 1


@dataclass(frozen=True)
class AnswerRow:
    """A checked row: the candidate and the categories answered. The answers themselves stay
    out of every page (repr too): the preview names the categories only."""

    line: int
    candidate_id: int
    label: str  # the e-mail or candidate number, as written in the file
    categories: tuple[str, ...]
    answers: dict[str, str] = field(repr=False, compare=False)


def _enterable_candidates(actor: User) -> tuple[dict[int, int], dict[str, int | None]]:
    """(candidate id → id, e-mail → id) of the candidates whose answers `actor` may enter:
    not erased, on a job with adverse impact on where `actor` enters self-identification."""
    job_ids = [j.id for j in db.session.scalars(sa.select(Job)) if enabled(j)]
    job_ids = [j for j in job_ids if can_enter(actor, [j])]
    rows = db.session.execute(
        sa.select(Candidate.id, Candidate.email)
        .join(Application, Application.candidate_id == Candidate.id)
        .where(Application.job_id.in_(job_ids or [0]), Candidate.erased_at.is_(None))
    ).all()
    by_id = {cid: cid for cid, _email in rows}
    by_email: dict[str, int | None] = {}
    for cid, email in rows:
        key = (email or "").strip().casefold()
        if key:  # two candidates with one e-mail: None, the number must be used
            by_email[key] = cid if by_email.get(key, cid) == cid else None
    return by_id, by_email


def _answer(category: dict, text: str) -> str | None:
    """The offered answer `text` stands for, or None when it is none of them."""
    folded = text.strip().casefold()
    if folded in {w.casefold() for w in PREFERS_NOT_WORDS}:
        return PREFERS_NOT
    return next((v for v in category["values"] if v.casefold() == folded), None)


def check_import(text: str, actor: User) -> Preview[AnswerRow]:
    """Every row of a self-identification file checked; nothing is written.

    Problems never repeat an answer from the file: a mistyped answer is still a candidate's
    answer (R19), so the message names the column only.
    """
    if not enabled_anywhere():
        raise DomainError("file", _("Adverse impact is not turned on: nothing is collected."))
    categories = categories_of()
    aliases = {}
    for key, c in categories.items():
        for name in (key, c.get("zh", ""), c.get("en", "")):
            if name:
                aliases[name.strip().lower()] = key
    aliases.update(IMPORT_ALIASES)  # the fixed columns win over a category of the same name
    columns = (*IMPORT_COLUMNS, *categories)
    header_error = _(
        "The first line must name the columns: email (or candidate), consent, and one "
        "column per category (%(keys)s).",
        keys=", ".join(categories),
    )
    by_id, by_email = _enterable_candidates(actor)
    seen: dict[int, int] = {}
    preview: Preview[AnswerRow] = Preview()
    for line, values in csv_records(text, aliases, columns, "consent", header_error):
        label = values["email"] or values["candidate"]
        reasons: list[str] = []
        candidate_id: int | None = None
        if values["candidate"]:
            raw = values["candidate"].lstrip("#")
            candidate_id = by_id.get(int(raw)) if raw.isdecimal() else None
        elif values["email"]:
            email_key = values["email"].casefold()
            candidate_id = by_email.get(email_key)
            if email_key in by_email and candidate_id is None:
                reasons.append(
                    _("Several candidates have this e-mail: use the candidate's number.")
                )
        else:
            reasons.append(_("Give the candidate's e-mail or candidate number."))
        if candidate_id is None and label and not reasons:
            reasons.append(
                _(
                    "Unknown candidate: none with this e-mail or number on a job where "
                    "adverse impact is on and you enter self-identification."
                )
            )
        if values["consent"].strip().casefold() not in CONSENT_WORDS:
            reasons.append(
                _("The candidate's consent is not recorded (write yes in the consent column).")
            )
        answers: dict[str, str] = {}
        for key, category in categories.items():
            if not values[key]:
                continue
            found = _answer(category, values[key])
            if found is None:
                reasons.append(_("Column %(column)s: not one of the offered answers.", column=key))
            else:
                answers[key] = found
        if not answers and not any(values[k] for k in categories):
            reasons.append(_("No answer in any category column: nothing to store."))
        if candidate_id is not None and not reasons:
            if candidate_id in seen:
                reasons.append(
                    _("Duplicate of line %(line)s in this file.", line=seen[candidate_id])
                )
            else:
                seen[candidate_id] = line
        if reasons:
            preview.bad.append(RowProblem(line, label, " ".join(reasons)))
            continue
        assert candidate_id is not None
        preview.good.append(AnswerRow(line, candidate_id, label, tuple(sorted(answers)), answers))
    return preview


def import_self_identification(text: str, actor: User) -> Preview[AnswerRow]:
    """Store the good rows (checked again) in the caller's transaction; audited without the
    answers: one row per candidate naming the categories, one for the file with counts."""
    preview = check_import(text, actor)
    for row in preview.good:
        record_self_identification(row.candidate_id, row.answers, True, actor)
    audit.record(
        "self_identification.import",
        "self_identification_import",
        None,
        actor=actor,
        after={
            "rows": preview.total,
            "recorded": len(preview.good),
            "rejected": [{"line": p.line} for p in preview.bad],
        },
    )
    return preview


def _fernet():
    import base64
    import hashlib

    from cryptography.fernet import Fernet
    from flask import current_app

    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"self-identification-import\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    """The checked file, encrypted for the round trip through the preview page: the page
    holds no answer in clear (R19), and only this installation can open it."""
    import zlib

    return _fernet().encrypt(zlib.compress(text.encode("utf-8"))).decode("ascii")


def unseal(token: str) -> str:
    """The file sealed by `seal` within the last hour; DomainError when not valid."""
    import zlib

    from cryptography.fernet import InvalidToken

    try:
        data = _fernet().decrypt((token or "").encode("ascii"), ttl=SEAL_HOURS * 3600)
        return zlib.decompress(data).decode("utf-8")
    except (InvalidToken, UnicodeError, zlib.error, ValueError):
        raise DomainError(
            None, _("This import form is not valid or has expired: upload the file again.")
        ) from None
