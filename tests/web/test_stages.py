"""The stage after the last round's advance decision: "Awaiting hire decision" (one rule)."""

import csv
import io
import re

import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.labels import stage_label
from scorecard.models import Application
from scorecard.services import decisions
from scorecard.services.stages import awaiting_hire_ids, is_awaiting_hire
from tests.web import compare_support
from tests.web.compare_support import app_of, medical_job, round_of, sign_in

demo = compare_support.demo  # the fixture


def test_advancing_the_last_round_means_awaiting_the_hire_decision(app, client, demo, db):
    job = medical_job()
    feng, qian = app_of("冯超"), app_of("钱芳")  # both through the executive round
    executive = round_of(job, "executive")
    with app.test_request_context():
        assert feng.current_round_id == executive.id and qian.current_round_id == executive.id
        assert not is_awaiting_hire(feng)  # interviewed, no decision yet
        assert stage_label(feng) == "Executive interview"
        assert is_awaiting_hire(qian) and stage_label(qian) == "Awaiting hire decision"
        decisions.decide_round(
            feng, executive, "advance", "Strong across the panel.", demo["manager"]
        )
        _db.session.commit()
        assert is_awaiting_hire(feng)
        assert stage_label(feng) == "Awaiting hire decision"
        assert awaiting_hire_ids([feng.id, qian.id, app_of("周婷").id]) == {feng.id, qian.id}
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/compare?a={feng.id}&a={qian.id}").get_data(as_text=True)
    assert html.count('<p class="stage">Awaiting hire decision</p>') == 2

    with app.test_request_context():
        # A hold on that round revises it: no longer through, on hold.
        decisions.decide_round(
            feng, executive, "hold", "Second reference pending.", demo["manager"]
        )
        _db.session.commit()
        assert not is_awaiting_hire(feng) and stage_label(feng) == "On hold"
        decisions.decide_round(feng, executive, "advance", "References fine.", demo["manager"])
        decisions.decide_hire(feng, "hire", "Best of the panel.", demo["manager"])
        _db.session.commit()
        assert not is_awaiting_hire(feng) and stage_label(feng) == "Hired"
        assert awaiting_hire_ids([feng.id]) == set()


def test_advancing_an_earlier_round_is_not_awaiting_the_hire_decision(app, demo, db):
    job = medical_job()
    wu = app_of("周婷")  # new: nothing booked yet
    hr_round = round_of(job, "hr_screen")
    with app.test_request_context():
        decisions.decide_round(wu, hr_round, "advance", "Strong CV, fast-track.", demo["manager"])
        _db.session.commit()
        assert wu.current_round.key == "technical"
        assert not is_awaiting_hire(wu) and stage_label(wu) == "Technical interview"
        assert awaiting_hire_ids([]) == set()


def test_the_matrix_and_its_exports_name_the_awaiting_stage(client, demo, db):
    job = medical_job()
    qian = app_of("钱芳")  # advanced through the executive round
    sign_in(client, demo["hr"])
    html = client.get(f"/jobs/{job.id}/matrix?sort=name&dir=asc").get_data(as_text=True)
    row = re.search(rf'<tr data-application="{qian.id}" data-stage="([^"]+)".*?</tr>', html, re.S)
    assert row is not None and row.group(1) == "awaiting_hire"
    assert "<td>Awaiting hire decision</td>" in row.group(0)
    # The filter keeps exactly the applications the one rule names.
    with client.application.test_request_context():
        ids = _db.session.scalars(sa.select(Application.id).where(Application.job_id == job.id))
        awaiting = awaiting_hire_ids(ids)
    assert qian.id in awaiting
    html = client.get(f"/jobs/{job.id}/matrix?stage=awaiting_hire").get_data(as_text=True)
    assert set(map(int, re.findall(r'<tr data-application="(\d+)"', html))) == awaiting
    body = client.get(f"/jobs/{job.id}/matrix.csv?stage=awaiting_hire").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(awaiting)
    assert {r[1] for r in rows[1:]} == {"Awaiting hire decision"}
