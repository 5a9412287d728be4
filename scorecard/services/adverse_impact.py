"""Adverse impact (issue 14): settings, voluntary self-identification, and the report.

Off by default: an admin turns it on for the installation or for one job, with a purpose
note shown to HR. Self-identification is stored apart from the candidate
(`SelfIdentification`), entered by HR with the candidate's consent (one by one, or imported
from a CSV file whose round trip through the preview is encrypted), and read back only by
`report()` — for admins and users with a compliance grant. No page, export, API answer or
audit text shows a value: the entry form says only whether an answer is on file, and the
audit rows name the category, never the answer (reliability.md R19). Erasure deletes them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    AnalyticsSetting,
    Application,
    Candidate,
    ComplianceGrant,
    HireDecision,
    HireDecisionKind,
    Job,
    JobRole,
    Role,
    RoundDecision,
    RoundDecisionKind,
    SelfIdentification,
    User,
    utcnow,
)
from scorecard.permissions import job_role
from scorecard.scoring.adverse_impact import MIN_GROUP, ImpactTable, impact_table
from scorecard.services import audit
from scorecard.services.candidates import Preview, RowProblem, csv_records
from scorecard.services.errors import DomainError
from scorecard.services.results import visible_scores

PREFERS_NOT = "prefers_not_to_say"
DEFAULT_CATEGORIES: dict[str, dict] = {
    "sex": {"zh": "性别", "en": "Sex", "values": ["female", "male"]},
}
HIRE_RECOMMENDATIONS = ("hire", "strong_hire")
PURPOSE_MAX = 2000


# --- settings ------------------------------------------------------------------------------


def setting(job: Job | None) -> AnalyticsSetting | None:
    """The stored settings row of a job (or of the installation with None)."""
    cond = AnalyticsSetting.job_id.is_(None) if job is None else AnalyticsSetting.job_id == job.id
    return db.session.scalars(
        sa.select(AnalyticsSetting).where(cond).order_by(AnalyticsSetting.id)
    ).first()


def _setting_for_write(job: Job | None) -> AnalyticsSetting:
    row = setting(job)
    if row is None:
        row = AnalyticsSetting(job_id=job.id if job else None, min_hires=30, purpose="")
        db.session.add(row)
        db.session.flush()
    return row


def min_hires(job: Job) -> int:
    """Hires with an outcome needed before a validity figure is shown (job setting, 30)."""
    row = setting(job)
    return row.min_hires if row is not None else 30


def set_min_hires(job: Job, value: int, actor: User) -> None:
    """Change the job's 'insufficient data' threshold."""
    if not 4 <= value <= 10000:
        raise DomainError("min_hires", _("Enter a number from 4 to 10000."))
    row = _setting_for_write(job)
    before = row.min_hires
    row.min_hires = value
    row.updated_at = utcnow()
    audit.record_change(
        "analytics.min_hires",
        "job",
        job.id,
        actor=actor,
        job_id=job.id,
        before={"min_hires": before},
        after={"min_hires": value},
    )


def enabled(job: Job) -> bool:
    """Whether adverse impact is on for this job (on for the installation, or for the job)."""
    rows = db.session.scalars(
        sa.select(AnalyticsSetting.adverse_impact).where(
            sa.or_(AnalyticsSetting.job_id.is_(None), AnalyticsSetting.job_id == job.id)
        )
    )
    return any(rows)


def enabled_anywhere() -> bool:
    """Whether adverse impact is on for the installation or for any job."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(AnalyticsSetting.id)).where(
                AnalyticsSetting.adverse_impact.is_(True)
            )
        )
    )


def purpose(job: Job | None = None) -> str:
    """The purpose note HR is shown: the job's own, else the installation's."""
    for row in (setting(job) if job else None, setting(None)):
        if row is not None and row.adverse_impact and row.purpose.strip():
            return row.purpose
    return ""


def configure(
    job: Job | None, on: bool, purpose_note: str, actor: User, categories_text: str | None = None
) -> None:
    """Turn adverse impact on or off for the installation (job None) or one job (admins)."""
    if actor.role != Role.ADMIN:
        raise DomainError(None, _("Only an administrator turns adverse impact on or off."))
    purpose_note = (purpose_note or "").strip()
    if on and not purpose_note:
        raise DomainError("purpose", _("Say why the data is collected: HR is shown this note."))
    if len(purpose_note) > PURPOSE_MAX:
        raise DomainError("purpose", _("Too long (at most %(n)s characters).", n=PURPOSE_MAX))
    categories = parse_categories(categories_text) if categories_text is not None else None
    row = _setting_for_write(job)
    before = {"adverse_impact": row.adverse_impact, "purpose": row.purpose}
    row.adverse_impact = on
    row.purpose = purpose_note
    if categories is not None and job is None:
        before["categories"] = sorted(categories_of())
        row.categories = categories
    row.updated_at = utcnow()
    after = {"adverse_impact": on, "purpose": purpose_note}
    if categories is not None and job is None:
        after["categories"] = sorted(categories)
    audit.record_change(
        "analytics.adverse_impact",
        "job" if job else "installation",
        job.id if job else None,
        actor=actor,
        job_id=job.id if job else None,
        before=before,
        after=after,
    )


def categories_of() -> dict[str, dict]:
    """The configured categories (sex by default): key → {zh, en, values}."""
    row = setting(None)
    if row is not None and row.categories:
        return dict(row.categories)
    return dict(DEFAULT_CATEGORIES)


def categories_text() -> str:
    """The categories as the settings form shows them: one line 'key: value, value'."""
    return "\n".join(f"{k}: {', '.join(v['values'])}" for k, v in categories_of().items())


def parse_categories(text: str | None) -> dict[str, dict]:
    """'key: value, value' lines → categories; 'prefers not to say' is always added later."""
    out: dict[str, dict] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, rest = line.partition(":")
        key = key.strip().lower()
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise DomainError(
                "categories",
                _("Line %(n)s: write 'key: value, value' with a lower-case key.", n=number),
            )
        if len(values) < 2 or any(len(v) > 80 for v in values) or len(set(values)) != len(values):
            raise DomainError(
                "categories",
                _(
                    "Line %(n)s: give at least two different values of at most 80 characters.",
                    n=number,
                ),
            )
        if PREFERS_NOT in values:
            raise DomainError(
                "categories", _("Line %(n)s: 'prefers not to say' is always offered.", n=number)
            )
        out[key] = {"zh": key, "en": key, "values": values}
        if key in DEFAULT_CATEGORIES:
            out[key]["zh"] = DEFAULT_CATEGORIES[key]["zh"]
            out[key]["en"] = DEFAULT_CATEGORIES[key]["en"]
    if not out:
        raise DomainError("categories", _("Keep at least one category."))
    return out


# --- compliance grants ---------------------------------------------------------------------


def can_read_report(user: User) -> bool:
    """Admins and users with a compliance grant read the adverse-impact report."""
    if user.role == Role.ADMIN:
        return True
    return bool(
        db.session.scalar(sa.select(ComplianceGrant.id).where(ComplianceGrant.user_id == user.id))
    )


def grants() -> list[User]:
    """Users with a compliance grant, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(ComplianceGrant, ComplianceGrant.user_id == User.id)
            .order_by(User.name)
        )
    )


def set_grant(user: User, granted: bool, actor: User) -> None:
    """Give or take back a user's compliance permission (admins only)."""
    if actor.role != Role.ADMIN:
        raise DomainError(None, _("Only an administrator gives the compliance permission."))
    row = db.session.scalar(sa.select(ComplianceGrant).where(ComplianceGrant.user_id == user.id))
    if granted and row is None:
        db.session.add(ComplianceGrant(user_id=user.id, granted_by_id=actor.id))
    elif not granted and row is not None:
        db.session.delete(row)
    else:
        return
    db.session.flush()
    audit.record(
        "compliance.grant" if granted else "compliance.revoke", "user", user.id, actor=actor
    )


# --- self-identification -------------------------------------------------------------------


def can_enter(user: User, job_ids: Iterable[int]) -> bool:
    """HR on one of the candidate's job teams, and admins, enter self-identification."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.HR and any(job_role(user, j) is not None for j in job_ids)


def on_file(candidate_id: int) -> dict[str, bool]:
    """Category → whether an answer is on file (never the answer itself)."""
    keys = set(
        db.session.scalars(
            sa.select(SelfIdentification.category).where(
                SelfIdentification.candidate_id == candidate_id
            )
        )
    )
    return {k: k in keys for k in categories_of()}


def record_self_identification(
    candidate_id: int, answers: dict[str, str], consent: bool, actor: User
) -> int:
    """Store the candidate's answers (category → value or ''); returns how many were stored.

    Without the candidate's consent nothing is stored. An empty answer keeps what is on file.
    """
    if not consent:
        raise DomainError(
            "consent", _("Record the candidate's consent: without it nothing is stored.")
        )
    categories = categories_of()
    stored = 0
    for key, value in answers.items():
        value = (value or "").strip()
        if not value:
            continue
        if key not in categories or value not in [*categories[key]["values"], PREFERS_NOT]:
            raise DomainError(key, _("Choose one of the offered answers."))
        row = db.session.scalar(
            sa.select(SelfIdentification).where(
                SelfIdentification.candidate_id == candidate_id,
                SelfIdentification.category == key,
            )
        )
        if row is None:
            row = SelfIdentification(candidate_id=candidate_id, category=key)
            db.session.add(row)
        row.value = value
        row.consent = True
        row.recorded_by_id = actor.id
        row.recorded_at = utcnow()
        stored += 1
    if not stored:
        raise DomainError(None, _("Choose an answer for at least one category."))
    db.session.flush()
    # The audit names the categories answered, never the answers.
    audit.record(
        "self_identification.record",
        "candidate",
        candidate_id,
        actor=actor,
        after={"categories": sorted(k for k, v in answers.items() if (v or "").strip())},
    )
    return stored


def erase(candidate_id: int) -> int:
    """Delete a candidate's self-identification (their erasure): returns rows deleted."""
    result = db.session.execute(
        sa.delete(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id)
    )
    return int(result.rowcount or 0)


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One row block of the report: a stage (or the engine) and its impact table."""

    kind: str  # "round", "hire", "engine_recommendation", "engine_median"
    name: str
    table: ImpactTable


@dataclass(frozen=True)
class JobReport:
    job: Job
    category: str
    stages: list[Stage]
    without_answer: int  # applications whose candidate gave no answer in this category
    candidates: int


def report(job: Job, category: str, viewer: User) -> JobReport:
    """Selection rates per group for each round, the hire decision and the engine."""
    if not can_read_report(viewer):
        raise DomainError(None, _("This report is for administrators and compliance reviewers."))
    from scorecard.i18n import bilingual_text

    applications = list(
        db.session.scalars(sa.select(Application).where(Application.job_id == job.id))
    )
    answers = dict(
        db.session.execute(
            sa.select(SelfIdentification.candidate_id, SelfIdentification.value).where(
                SelfIdentification.category == category,
                SelfIdentification.candidate_id.in_([a.candidate_id for a in applications] or [0]),
            )
        ).all()
    )
    group_of = {a.id: answers[a.candidate_id] for a in applications if a.candidate_id in answers}
    app_ids = list(group_of)

    def table(considered: dict[int, bool]) -> ImpactTable:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for app_id, selected in considered.items():
            c = counts[group_of[app_id]]
            c[0] += 1
            c[1] += int(selected)
        return impact_table({g: (c[0], c[1]) for g, c in counts.items()}, MIN_GROUP)

    stages: list[Stage] = []
    latest_round: dict[tuple[int, int], RoundDecisionKind] = {}
    for d in db.session.scalars(
        sa.select(RoundDecision)
        .where(RoundDecision.application_id.in_(app_ids or [0]))
        .order_by(RoundDecision.decided_at, RoundDecision.id)
    ):
        latest_round[(d.application_id, d.round_id)] = d.decision
    for rnd in job.rounds:
        decided = {
            app_id: kind == RoundDecisionKind.ADVANCE
            for (app_id, round_id), kind in latest_round.items()
            if round_id == rnd.id and kind != RoundDecisionKind.HOLD
        }
        stages.append(Stage("round", bilingual_text(rnd, "name"), table(decided)))
    latest_hire: dict[int, HireDecisionKind] = {}
    for d in db.session.scalars(
        sa.select(HireDecision)
        .where(HireDecision.application_id.in_(app_ids or [0]))
        .order_by(HireDecision.decided_at, HireDecision.id)
    ):
        latest_hire[d.application_id] = d.decision
    stages.append(
        Stage(
            "hire",
            _("Hire decision"),
            table({a: k == HireDecisionKind.HIRE for a, k in latest_hire.items()}),
        )
    )
    # The engine, as a bias-audit view: figures from the results the viewer may see.
    scores = visible_scores(job, viewer, app_ids)
    scored = {a: s for a, s in scores.items() if a in group_of and s.result.score is not None}
    stages.append(
        Stage(
            "engine_recommendation",
            _("Engine recommends hire or strong hire"),
            table({a: s.result.recommendation in HIRE_RECOMMENDATIONS for a, s in scored.items()}),
        )
    )
    if scored:
        mid = median(s.result.score for s in scored.values())
        above = {a: s.result.score > mid for a, s in scored.items()}
    else:
        above = {}
    stages.append(Stage("engine_median", _("Engine score above the job's median"), table(above)))
    return JobReport(
        job=job,
        category=category,
        stages=stages,
        without_answer=len(applications) - len(group_of),
        candidates=len(applications),
    )


def reportable_jobs(viewer: User) -> list[Job]:
    """Jobs with adverse impact turned on (for a reader of the report)."""
    if not can_read_report(viewer):
        return []
    jobs = list(db.session.scalars(sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc())))
    return [j for j in jobs if enabled(j)]


def hr_can_enter_for(user: User, job: Job) -> bool:
    """Whether `user` may enter self-identification for the job's candidates."""
    return user.role == Role.ADMIN or (
        user.role == Role.HR and job_role(user, job.id) == JobRole.RECRUITER
    )


# --- CSV import of self-identification -------------------------------------------------------

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
