"""Adding candidates to jobs: one by form, or many from a CSV file (checked, then imported).

Audit rows name candidates by id only: their personal data must stay erasable.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Application, Candidate, CandidateImport, Job, User
from scorecard.services import audit
from scorecard.services.errors import DomainError

COLUMNS = ("name", "email", "phone", "source", "note", "job")
HEADER_ALIASES = {
    "name": "name",
    "姓名": "name",
    "名字": "name",
    "email": "email",
    "e-mail": "email",
    "邮箱": "email",
    "电子邮件": "email",
    "phone": "phone",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "source": "source",
    "来源": "source",
    "note": "note",
    "备注": "note",
    "job": "job",
    "职位": "job",
    "岗位": "job",
}
LIMITS = {"name": 200, "email": 254, "phone": 40, "source": 120, "note": 5000}
MAX_FILE_BYTES = 2 * 1024 * 1024
CHUNK = 500  # rows flushed together: bounded memory in the session for large files


@dataclass(frozen=True)
class CandidateRow:
    line: int
    name: str
    email: str
    phone: str
    source: str
    note: str
    job: Job


Row = TypeVar("Row")


@dataclass(frozen=True)
class RowProblem:
    line: int
    name: str
    reason: str


@dataclass
class Preview(Generic[Row]):
    """A checked file: the rows to import and the reasons the others are refused (the
    candidate and the outcome imports share it)."""

    good: list[Row] = field(default_factory=list)
    bad: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)


# --- reading -------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else GB18030."""
    if len(data) > MAX_FILE_BYTES:
        raise DomainError("file", _("The file is larger than 2 MB: split it into parts."))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError(
            "file", _("The file could not be read: save it as CSV in UTF-8 or GB18030.")
        ) from None


def normalise_phone(phone: str) -> str:
    """Digits only (a leading + kept), so '138 0013-8000' matches '13800138000'."""
    phone = (phone or "").strip()
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


@lru_cache(maxsize=65536)
def _valid_email(email: str) -> str | None:
    # Cached: a file is checked twice (preview, import) and the validator is slow.
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def csv_records(
    text: str, aliases: dict[str, str], columns: Iterable[str], required: str, header_error: str
) -> Iterable[tuple[int, dict[str, str]]]:
    """(first line number, values by column) for every non-blank record after the header.

    The header's names are mapped through `aliases` (lower-cased); a file without the
    `required` column is refused with `header_error`. Shared by every CSV import.
    """
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise DomainError("file", _("The file is empty.")) from None
    names = [aliases.get(h.strip().lstrip("\ufeff").lower()) for h in header]
    if required not in names:
        raise DomainError("file", header_error)
    end = reader.line_num
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DomainError(
                "file", _("Line %(line)s is not valid CSV: %(error)s", line=start, error=str(exc))
            ) from None
        end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {c: "" for c in columns}
        for column, cell in zip(names, record, strict=False):
            if column:
                values[column] = cell.strip()
        yield start, values


def _rows(text: str) -> Iterable[tuple[int, dict[str, str]]]:
    """The candidate file's records (see `csv_records`)."""
    return csv_records(
        text,
        HEADER_ALIASES,
        COLUMNS,
        "name",
        _("The first line must name the columns: name, email, phone, source, note, job."),
    )


# --- checking ------------------------------------------------------------------------------


class JobMatcher:
    """Finds a job by id or by its zh or en title, among the jobs the user may add to."""

    def __init__(self, jobs: list[Job]) -> None:
        self.by_id = {str(j.id): j for j in jobs}
        self.by_title: dict[str, list[Job]] = {}
        for job in jobs:
            for title in {job.title_zh.strip().casefold(), job.title_en.strip().casefold()}:
                if title:
                    self.by_title.setdefault(title, []).append(job)

    def find(self, text: str) -> tuple[Job | None, str | None]:
        """(job, None) or (None, reason)."""
        key = text.strip()
        if key.lstrip("#") in self.by_id:
            return self.by_id[key.lstrip("#")], None
        matches = self.by_title.get(key.casefold(), [])
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return None, _("Several jobs have the title %(job)s: use the job's id.", job=key)
        return None, _("Unknown job: %(job)s.", job=key)


class DuplicateIndex:
    """Existing applications per job, keyed by e-mail and by name + phone."""

    def __init__(self, job_ids: Iterable[int]) -> None:
        self.emails: dict[tuple[int, str], int | None] = {}
        self.name_phones: dict[tuple[int, str, str], int | None] = {}
        ids = list(set(job_ids))
        if not ids:
            return
        rows = db.session.execute(
            sa.select(Application.job_id, Candidate.name, Candidate.email, Candidate.phone)
            .join(Candidate, Application.candidate_id == Candidate.id)
            .where(Application.job_id.in_(ids), Candidate.erased_at.is_(None))
        )
        for job_id, name, email, phone in rows:
            self.add(job_id, name, email or "", phone or "", None)

    @staticmethod
    def _keys(job_id: int, name: str, email: str, phone: str):
        email_key = (job_id, email.strip().casefold()) if email.strip() else None
        phone_norm = normalise_phone(phone)
        np_key = (job_id, name.strip().casefold(), phone_norm) if phone_norm else None
        return email_key, np_key

    def find(self, job_id: int, name: str, email: str, phone: str) -> tuple[bool, int | None]:
        """(is duplicate, line in this file or None for an existing candidate)."""
        email_key, np_key = self._keys(job_id, name, email, phone)
        for index, key in ((self.emails, email_key), (self.name_phones, np_key)):
            if key is not None and key in index:
                return True, index[key]
        return False, None

    def add(self, job_id: int, name: str, email: str, phone: str, line: int | None) -> None:
        email_key, np_key = self._keys(job_id, name, email, phone)
        if email_key is not None:
            self.emails.setdefault(email_key, line)
        if np_key is not None:
            self.name_phones.setdefault(np_key, line)


def check_values(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Shape problems of one candidate's values, as (field, message)."""
    problems = []
    if not values.get("name", "").strip():
        problems.append(("name", _("Name is missing.")))
    email = values.get("email", "").strip()
    if email and _valid_email(email) is None:
        problems.append(("email", _("Not a valid e-mail address: %(email)s.", email=email)))
    for name, limit in LIMITS.items():
        if len(values.get(name, "") or "") > limit:
            problems.append((name, _("Too long (at most %(n)s characters).", n=limit)))
    return problems


def check_csv(text: str, jobs: list[Job], default_job: Job | None = None) -> Preview:
    """Every row checked: good rows ready to import, bad rows with line number and reason."""
    matcher = JobMatcher(jobs)
    index = DuplicateIndex(j.id for j in jobs)
    preview = Preview()
    for line, values in _rows(text):
        reasons = [message for _field, message in check_values(values)]
        job: Job | None = None
        if values["job"]:
            job, reason = matcher.find(values["job"])
            if reason:
                reasons.append(reason)
        elif default_job is not None:
            job = default_job
        else:
            reasons.append(_("Job is missing."))
        if job is not None and not reasons:
            duplicate, other_line = index.find(
                job.id, values["name"], values["email"], values["phone"]
            )
            if duplicate and other_line is None:
                reasons.append(
                    _("Already a candidate for this job (same e-mail or name and phone).")
                )
            elif duplicate:
                reasons.append(_("Duplicate of line %(line)s in this file.", line=other_line))
        if reasons:
            preview.bad.append(RowProblem(line, values["name"], " ".join(reasons)))
            continue
        assert job is not None
        index.add(job.id, values["name"], values["email"], values["phone"], line)
        preview.good.append(
            CandidateRow(
                line=line,
                name=values["name"],
                email=_valid_email(values["email"]) or "" if values["email"] else "",
                phone=values["phone"],
                source=values["source"],
                note=values["note"],
                job=job,
            )
        )
    return preview


# --- writing -------------------------------------------------------------------------------


def _add(row: CandidateRow) -> Application:
    candidate = Candidate(
        name=row.name,
        email=row.email or None,
        phone=row.phone or None,
        source=row.source or None,
        note=row.note,
    )
    application = Application(candidate=candidate, job=row.job)
    db.session.add_all([candidate, application])
    return application


def _insert_chunk(rows: list[CandidateRow]) -> list[int]:
    """Insert candidates and their applications in two statements; returns candidate ids."""
    ids = list(
        db.session.scalars(
            sa.insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True),
            [
                {
                    "name": row.name,
                    "email": row.email or None,
                    "phone": row.phone or None,
                    "source": row.source or None,
                    "note": row.note,
                }
                for row in rows
            ],
        )
    )
    db.session.execute(
        sa.insert(Application),
        [{"candidate_id": cid, "job_id": row.job.id} for cid, row in zip(ids, rows, strict=True)],
    )
    return ids


def create_candidate(values: dict[str, Any], job: Job, actor: User | None) -> Application:
    """Add one candidate to a job; DomainError on bad values or a duplicate for the job."""
    values = {k: (values.get(k) or "").strip() for k in COLUMNS if k != "job"}
    problems = check_values(values)
    if problems:
        raise DomainError(*problems[0])
    duplicate, _line = DuplicateIndex([job.id]).find(
        job.id, values["name"], values["email"], values["phone"]
    )
    if duplicate:
        raise DomainError(
            "email", _("Already a candidate for this job (same e-mail or name and phone).")
        )
    row = CandidateRow(
        line=0,
        name=values["name"],
        email=_valid_email(values["email"]) or "" if values["email"] else "",
        phone=values["phone"],
        source=values["source"],
        note=values["note"],
        job=job,
    )
    application = _add(row)
    db.session.flush()
    audit.record(
        "candidate.create",
        "candidate",
        application.candidate_id,
        actor=actor,
        job_id=job.id,
        after={"application": application.id, "job": job.id, "source": row.source},
    )
    return application


def import_candidates(
    text: str, jobs: list[Job], default_job: Job | None, key: str, actor: User | None
) -> tuple[CandidateImport, Preview]:
    """Import the good rows in the caller's one transaction; a repeated key imports nothing."""
    if not re.fullmatch(r"[0-9a-f]{32}", key or ""):
        raise DomainError("file", _("This import form is not valid: upload the file again."))
    run = CandidateImport(key=key, created_by_id=actor.id if actor else None)
    try:
        # The unique key decides when a double click or a retry posts the same import twice.
        with db.session.begin_nested():
            db.session.add(run)
    except sa.exc.IntegrityError:
        raise DomainError("file", _("This file was already imported.")) from None
    preview = check_csv(text, jobs, default_job)
    ids: list[int] = []
    for start in range(0, len(preview.good), CHUNK):
        ids.extend(_insert_chunk(preview.good[start : start + CHUNK]))
    run.rows_total = preview.total
    run.rows_imported = len(preview.good)
    run.rows_rejected = len(preview.bad)
    db.session.flush()
    audit.record(
        "candidate.import",
        "candidate_import",
        run.id,
        actor=actor,
        job_id=default_job.id if default_job else None,
        after={
            "rows": preview.total,
            "imported": len(ids),
            "rejected": [{"line": p.line} for p in preview.bad],
            "candidates": ids,
            "jobs": sorted({row.job.id for row in preview.good}),
        },
    )
    return run, preview
