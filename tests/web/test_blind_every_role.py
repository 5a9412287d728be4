"""R2 for every panelist's role: a recruiter, a hiring manager, an admin and an interviewer,
each on the panel with a draft while a colleague has submitted, see none of the colleague's
texts and none of the figures computed from them, on any page, export or API answer; once
they submit, the figures appear (the check can fail).

The colleague's ratings are set to a pattern whose round, overall and dimension scores are
unusual numbers, so their formatted forms can be searched for in every answer.
"""

import itertools
import re
import uuid

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.labels import num
from scorecard.models import Scorecard, ScorecardSubmission
from scorecard.services import results
from scorecard.services import scorecards as card_service
from tests.web.test_security_blind import _markers, _probe_api, _seed_urls, crawl
from tests.web.trust_figures import report
from tests.web.trust_world import _fill, build_world, sign_in

ROLES = ("admin", "hr", "manager", "interviewer_panel")
PATTERN = (4, 1, 3, 3, 2, 4, 1, 3, 4, 2, 3, 1)


def _distinctive(value: float | None) -> bool:
    text = num(value) if value is not None else ""
    return bool(re.fullmatch(r"\d\.\d\d", text)) and text[-1] != "0"


@pytest.fixture
def world(app, client, db):  # client: requests get their own app context
    w = build_world()
    s = w.scopes["own"]
    # The colleague's submitted ratings follow PATTERN (the engine reads the snapshot).
    sub = _db.session.scalar(
        sa.select(ScorecardSubmission).where(
            ScorecardSubmission.scorecard_id == s.submitted_card.id
        )
    )
    snap = dict(sub.snapshot)
    snap["ratings"] = {
        k: {**v, "value": PATTERN[i % len(PATTERN)]}
        for i, (k, v) in enumerate(sorted(snap["ratings"].items()))
    }
    sub.snapshot = snap
    # Recruiter, hiring manager and admin join the panel, each with a draft.
    for actor in ("admin", "hr", "manager"):
        _db.session.add(
            Scorecard(
                interview=s.interview,
                interviewer=w.users[actor],
                version_id=s.draft_card.version_id,
            )
        )
    _db.session.commit()
    return w


def _figures(world) -> list[str]:
    s = world.scopes["own"]
    score = results.job_scores(s.application.job, [s.application.id])[s.application.id]
    r = score.result
    values = [r.score, *r.dimensions.values()]
    for rr in r.rounds.values():
        values += [rr.score, *rr.dimensions.values()]
    return sorted({num(v) for v in values if _distinctive(v)})


def test_no_panelist_sees_a_colleague_or_a_figure_before_submitting(app, world, request):
    figures = _figures(world)
    assert figures, "the pattern gave no distinctive figure to search for"
    # The own job's panel is where they all have drafts; the other job's texts are visible to
    # an admin off that panel (a reviewer may read submitted scorecards), to nobody else here.
    markers = _markers("own")
    seeds = [url for _e, url in _seed_urls(app, world)]
    cases, answers, leaks = 0, 0, []
    for actor in ROLES:
        client = sign_in(app, world.users[actor])
        pages = crawl(client, seeds)
        pages.update(_probe_api(app, world, actor))
        answers += len(pages)
        for url, text in pages.items():
            cases += 1
            body = text.split("\n", 2)[-1]
            searched = markers + (_markers("other") if actor != "admin" else [])
            leaks += [f"{actor} {url}: {m}" for m in searched if m in body]
            leaks += [
                f"{actor} {url}: figure {f}"
                for f in figures
                if re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", body)
            ]
    report(
        request.config,
        "R2 by role",  # its own key: the interviewers' R2 line is printed beside it
        f"R2 by role: {answers} answers to {len(ROLES)} panelists with a draft "
        f"(admin, recruiter, hiring manager, interviewer) over {len(seeds)} seed URLs; "
        f"{len(figures)} colleague-derived figures and {len(markers)} markers searched: "
        f"{len(leaks)} leaks",
    )
    assert not leaks, "\n".join(leaks[:30])

    # After submitting, each reviewer sees the (new) figures on the recommendation pages:
    # the pages do show them, so the search above could have found them.
    s = world.scopes["own"]
    for actor in ("admin", "hr", "manager"):
        card = _db.session.scalar(
            sa.select(Scorecard).where(
                Scorecard.interview_id == s.interview.id,
                Scorecard.interviewer_id == world.users[actor].id,
            )
        )
        _fill(card, texts=False, tag=actor)
        card_service.submit(card, uuid.uuid4().hex, card.interviewer)
        _db.session.commit()
    after = _figures(world)
    assert after
    for actor, url in itertools.product(
        ("admin", "hr", "manager"),
        (f"/applications/{s.application.id}", f"/jobs/{s.job.id}/recommendations"),
    ):
        body = sign_in(app, world.users[actor]).get(url).get_data(as_text=True)
        assert any(f in body for f in after), (actor, url, after)
