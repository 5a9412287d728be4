"""CSV and XLSX exports: same numbers as the page, permissions, blind rule, audit, safety."""

import csv
import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from scorecard.extensions import db as _db
from scorecard.models import (
    Application,
    AuditEvent,
    Candidate,
    Interview,
    Rating,
    Scorecard,
)
from scorecard.services import scorecards as card_service
from tests.web import compare_support
from tests.web.compare_support import (
    app_of,
    medical_job,
    put_on_panel,
    row_ids,
    sign_in,
)

demo = compare_support.demo  # the fixture


def _page_cells(html: str) -> dict[int, dict[str, str]]:
    """Application id → column → text of the matrix page's score cells."""
    out = {}
    for match in re.finditer(r'<tr data-application="(\d+)".*?</tr>', html, re.S):
        cells = dict(re.findall(r'data-col="([^"]+)">(?:<span class="na">)?([^<]*)<', match[0]))
        out[int(match[1])] = cells
    return out


def _ids_by_name(job) -> dict[str, int]:
    rows = _db.session.execute(
        sa.select(Candidate.name, Application.id)
        .join(Application)
        .where(Application.job_id == job.id)
    )
    return dict(rows.all())


def test_csv_has_a_bom_and_the_page_numbers(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/matrix?sort=technical").get_data(as_text=True)
    page = _page_cells(html)
    response = client.get(f"/jobs/{job.id}/matrix.csv?sort=technical")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert header[:6] == ["Candidate", "Stage", "Recommendation", "Confidence", "Score", "Coverage"]
    assert header[6:10] == ["Technical depth", "Business understanding", "Attitude", "Etiquette"]
    ids = _ids_by_name(job)
    # Same rows in the same order as the page.
    assert [ids[r[0]] for r in data] == row_ids(html)
    columns = {"Score": "score", "Technical depth": "technical", "Attitude": "attitude"}
    columns["Technical interview"] = "round-technical"
    compared = 0
    for row in data:
        cells = page[ids[row[0]]]
        for title, col in columns.items():
            value = row[header.index(title)]
            if col not in cells:
                assert value == ""
                continue
            if cells[col] == "not assessed":
                assert value == ""  # not assessed is an empty cell, never 0
            else:
                assert float(value) == float(cells[col])
                compared += 1
    assert compared > 20
    assert "梁宇" in body.decode("utf-8-sig")


def test_xlsx_opens_with_frozen_header_formats_and_a_sheet_per_round(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/matrix").get_data(as_text=True)
    page = _page_cells(html)
    response = client.get(f"/jobs/{job.id}/matrix.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.get_data()))
    assert wb.sheetnames == [
        "Candidates",
        "HR screen",
        "Technical interview",
        "Executive interview",
    ]
    ws = wb["Candidates"]
    assert ws.freeze_panes == "B2"
    header = [c.value for c in ws[1]]
    ids = _ids_by_name(job)
    score_col = header.index("Score") + 1
    tech_col = header.index("Technical depth") + 1
    checked = 0
    for row in ws.iter_rows(min_row=2):
        app_id = ids[row[0].value]
        cells = page[app_id]
        score = row[score_col - 1]
        if "score" in cells and cells["score"] != "not assessed":
            assert score.value == float(cells["score"])
            assert score.number_format == "0.00"
            assert row[tech_col - 1].value in (None, float(cells.get("technical", "nan")))
            checked += 1
        else:
            assert score.value is None
    assert checked == 8
    tech = wb["Technical interview"]
    assert tech.freeze_panes == "B2"
    assert [c.value for c in tech[1]][:3] == ["Candidate", "Round score", "Recommendation"]
    assert "Database skills" in [c.value for c in tech[1]]


def test_exports_honour_filters_and_refuse_bad_ones(client, demo, db):
    job = medical_job()
    sign_in(client, demo["hr"])
    body = client.get(f"/jobs/{job.id}/matrix.csv?rec=positive").get_data().decode("utf-8-sig")
    names = sorted(r[0] for r in list(csv.reader(io.StringIO(body)))[1:])
    assert names == sorted(["梁宇", "钱芳", "冯超"])
    response = client.get(f"/jobs/{job.id}/matrix.csv?sort=salary")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no column “salary”" in page
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "export.matrix")
        )
        == 1
    )  # only the good export


def test_exports_are_audited_without_personal_data(client, demo, db):
    job = medical_job()
    sign_in(client, demo["manager"])
    client.get(f"/jobs/{job.id}/matrix.xlsx?stage=executive")
    event = _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export.matrix"))
    assert event.actor_id == demo["manager"].id and event.job_id == job.id
    assert event.after["format"] == "xlsx" and event.after["filters"]["stage"] == "executive"
    # 冯超 only: 钱芳 is through the executive round (awaiting the hire decision), 梁宇 is
    # hired, 何静 rejected
    assert event.after["rows"] == 1
    assert "梁宇" not in str(event.after)
    fc = app_of("冯超")
    client.get(f"/applications/{fc.id}/scorecards.csv")
    event = _db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "export.scorecards")
    )
    assert event.object_id == fc.id and event.after == {"format": "csv", "scorecards": 6}


def test_interviewers_and_outsiders_get_404_and_nothing_is_audited(client, demo, db):
    job = medical_job()
    fc = app_of("冯超")
    sign_in(client, demo["interviewer1"])
    for path in (
        f"/jobs/{job.id}/matrix.csv",
        f"/jobs/{job.id}/matrix.xlsx",
        f"/applications/{fc.id}/scorecards.csv",
        f"/applications/{fc.id}/scorecards.xlsx",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("export.%"))
        )
        == 0
    )


def test_formula_like_names_are_quoted(client, demo, db):
    job = medical_job()
    zt = app_of("周婷")
    zt.candidate.name = '=HYPERLINK("http://evil","x")'
    _db.session.commit()
    sign_in(client, demo["hr"])
    text = client.get(f"/jobs/{job.id}/matrix.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    wb = load_workbook(io.BytesIO(client.get(f"/jobs/{job.id}/matrix.xlsx").get_data()))
    names = [c.value for c in wb["Candidates"]["A"]]
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)


def test_candidate_scorecards_export_is_the_submitted_snapshot(client, demo, db):
    fc = app_of("冯超")
    card = _db.session.scalar(
        sa.select(Scorecard)
        .join(Interview)
        .where(
            Interview.application_id == fc.id, Scorecard.interviewer_id == demo["interviewer2"].id
        )
    )
    # An edit after submitting changes the live rating, not what was submitted.
    rating = _db.session.scalar(
        sa.select(Rating).where(Rating.scorecard_id == card.id).order_by(Rating.criterion_id)
    )
    before = rating.value
    card_service.edit_submitted(
        card,
        card.lock_version,
        {
            f"rating.{rating.criterion_id}.value": 1 if before != 1 else 2,
            f"rating.{rating.criterion_id}.note": "changed my mind",
        },
        "recounted",
        demo["interviewer2"],
    )
    _db.session.commit()
    sign_in(client, demo["hr"])
    body = client.get(f"/applications/{fc.id}/scorecards.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:5] == [
        "Round",
        "Interviewer",
        "Scorecard version",
        "Submitted at",
        "Edited after submitting",
    ]
    mine = [r for r in rows[1:] if r[1] == "刘洋 Liu Yang" and r[5] == "Rating"]
    assert mine and all(r[4] for r in mine)  # marked as edited after submitting
    assert "changed my mind" not in body.decode("utf-8-sig")
    assert any(r[7] == "1" for r in mine)  # the submitted 1 on integration
    wb = load_workbook(io.BytesIO(client.get(f"/applications/{fc.id}/scorecards.xlsx").get_data()))
    assert wb.sheetnames == ["HR screen", "Technical interview", "Executive interview"]
    assert wb["Technical interview"].freeze_panes == "B2"


def test_scorecards_export_follows_the_blind_rule(client, demo, db):
    job = medical_job()
    target = app_of("钱芳")
    put_on_panel(job, demo["manager"], target, "executive")
    sign_in(client, demo["manager"])
    text = client.get(f"/applications/{target.id}/scorecards.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    # Colleagues' executive-round scorecards are hidden while the manager's own is a draft.
    assert not [r for r in rows if r[0] == "Executive interview"]
    assert [r for r in rows if r[0] == "Technical interview"]
