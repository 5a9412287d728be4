"""Adding candidates: the form, and the CSV import's preview and one-transaction import."""

import io
import re

import sqlalchemy as sa

from scorecard.models import Application, AuditEvent, Candidate, CandidateImport, Role
from tests.web.setup_support import make_team, post

HEADER = "name,email,phone,source,note,job\n"


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_add_a_candidate_by_form(client, db, make_user, login_as):
    team = make_team(make_user)
    login_as(team.hr)
    data = {
        "job_id": team.job.id,
        "name": "周婷",
        "email": "zt@example.com",
        "phone": "139",
        "source": "内推",
        "note": "三年HIS实施",
    }
    for bad, message in (
        ({"name": "  "}, "Name is missing."),
        ({"email": "zt@"}, "Not a valid e-mail address"),
        ({"job_id": 99999}, "Choose a job."),
    ):
        response = post(client, "/candidates/new", {**data, **bad})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(db, Candidate) == 0
    assert post(client, "/candidates/new", data).status_code == 302
    dup = post(client, "/candidates/new", {**data, "email": "ZT@example.com"})
    assert "Already a candidate for this job" in dup.get_data(as_text=True)
    app = db.session.scalar(sa.select(Application))
    assert (app.candidate.name, app.candidate.note, app.job_id) == (
        "周婷",
        "三年HIS实施",
        team.job.id,
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.create"))
    assert event.actor_id == team.hr.id and event.job_id == team.job.id
    assert "周婷" not in str(event.after) and "zt@example.com" not in str(event.after)
    listing = client.get(f"/candidates?job={team.job.id}").get_data(as_text=True)
    assert "周婷" in listing


def _upload(client, content: bytes, default_job: int = 0, xhr: bool = False):
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return post(
        client,
        "/candidates/import/preview",
        {"file": (io.BytesIO(content), "candidates.csv"), "default_job": default_job},
        page="/candidates/import",
        content_type="multipart/form-data",
        headers=headers,
    )


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html
    )
    assert match, name
    return match.group(1)


def test_csv_preview_then_import_in_one_go(client, db, make_user, login_as):
    team = make_team(make_user)
    login_as(team.hr)
    rows = [
        f"候选人{i},c{i}@example.com,1380000{i:04d},猎头,,{team.job.title_en}" for i in range(8)
    ]
    rows[3] = "候选人3,bad-email,,,,"
    text = HEADER + "\n".join(rows) + "\n"
    preview = _upload(client, text.encode("gb18030"), default_job=team.job.id, xhr=True)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert html.lstrip().startswith("{#") is False and "<html" not in html  # a fragment
    assert "Rows: 8. Ready to import: 7. With problems: 1." in html
    assert re.search(r"<td class=\"num\">5</td><td>候选人3</td>", html)
    assert _count(db, Candidate) == 0  # checking imports nothing
    key = _hidden(html, "key")
    body = re.search(r"<textarea name=\"text\" hidden>\n(.*?)</textarea>", html, re.S).group(1)
    data = {"key": key, "default_job": str(team.job.id), "text": body.replace("&#34;", '"')}
    done = post(client, "/candidates/import/run", data, page="/candidates/import")
    assert done.status_code == 302
    assert _count(db, Candidate) == 7
    run = db.session.scalar(sa.select(CandidateImport))
    assert (run.rows_total, run.rows_imported, run.rows_rejected) == (8, 7, 1)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.import"))
    assert len(event.after["candidates"]) == 7 and event.after["rejected"] == [{"line": 5}]
    # Posting the same import again (double click, reload) imports nothing.
    again = post(
        client, "/candidates/import/run", data, page="/candidates/import", follow_redirects=True
    )
    assert "This file was already imported." in again.get_data(as_text=True)
    assert _count(db, Candidate) == 7
    # A new upload of the same file now reports every row as a duplicate.
    html = _upload(client, text.encode("utf-8-sig"), default_job=team.job.id).get_data(as_text=True)
    assert "Rows: 8. Ready to import: 0. With problems: 8." in html
    assert "Nothing to import." in html


def test_import_failure_rolls_back_everything(client, db, make_user, login_as, monkeypatch):
    team = make_team(make_user)
    login_as(team.hr)
    text = HEADER + "".join(f"人{i},p{i}@example.com,,,,{team.job.id}\n" for i in range(600))
    from scorecard.services import candidates as service

    calls = {"n": 0}
    real_insert = service._insert_chunk

    def failing_insert(rows):
        calls["n"] += 1
        if calls["n"] == 2:  # the second chunk, after the first one was written
            raise RuntimeError("disk full")
        return real_insert(rows)

    monkeypatch.setattr(service, "_insert_chunk", failing_insert)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = post(
            client,
            "/candidates/import/run",
            {"key": "a" * 32, "default_job": "", "text": text},
            page="/candidates/import",
        )
    finally:
        client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500 and calls["n"] == 2
    assert _count(db, Candidate) == 0 and _count(db, CandidateImport) == 0


def test_bad_uploads_get_a_clear_message(client, db, make_user, login_as):
    team = make_team(make_user)
    login_as(team.hr)
    for content, message in (
        (b"", "Choose a CSV file."),
        (b"\xff\xfe\x00\x00garbage\x81", "could not be read"),
        (b"email,job\nx@example.com,1\n", "The first line must name the columns"),
    ):
        if content == b"":
            response = post(
                client,
                "/candidates/import/preview",
                {"default_job": 0},
                page="/candidates/import",
                content_type="multipart/form-data",
            )
        else:
            response = _upload(client, content)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), message
    response = post(
        client,
        "/candidates/import/run",
        {"key": "not-hex", "text": HEADER},
        page="/candidates/import",
        follow_redirects=True,
    )
    assert "upload the file again" in response.get_data(as_text=True)


def test_hr_only_imports_into_own_jobs(client, db, make_user, login_as):
    team = make_team(make_user)
    outsider = make_user(Role.HR)
    login_as(outsider)
    html = _upload(client, (HEADER + f"x,x@example.com,,,,{team.job.id}\n").encode()).get_data(
        as_text=True
    )
    assert f"Unknown job: {team.job.id}." in html
    assert post(client, "/candidates/new", {"job_id": team.job.id, "name": "x"}).status_code == 422
    assert _count(db, Candidate) == 0
