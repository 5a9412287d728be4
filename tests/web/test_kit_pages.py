"""The kit page, My interviews, the blind rule and the long-interview session."""

import html
import itertools
import re

import sqlalchemy as sa

from scorecard import visibility
from scorecard.extensions import db as _db
from scorecard.models import (
    Criterion,
    Dimension,
    Interview,
    InterviewStatus,
    JobMember,
    JobRole,
    Rating,
    Role,
    RoundDecision,
    RoundDecisionKind,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
    User,
)
from scorecard.services import scorecards as service
from tests.web import kit_support
from tests.web.kit_support import Kit, card, card_of, complete, sign_in, user, zheng_draft

demo = kit_support.demo
kit1 = kit_support.kit1

MARK_NOTE = "MARKER-PEER-NOTE-7f3a"
MARK_TAKE = "MARKER-PEER-TAKEAWAY-19c2"


def _mark_peer() -> Scorecard:
    """Put marker strings into interviewer2's submitted 郑洁 scorecard."""
    peer = card_of("interviewer2", "郑洁", "technical")
    assert peer.status == ScorecardStatus.SUBMITTED
    for rating in peer.ratings:
        rating.note = f"{MARK_NOTE}-{rating.criterion_id}"
    peer.takeaways = MARK_TAKE
    _db.session.commit()
    return peer


def test_kit_shows_everything_needed_to_score_and_no_contact_data(kit1: Kit):
    draft = card(kit1.card_id)
    candidate = draft.interview.application.candidate
    page = kit1.client.get(f"/kit/{draft.id}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = html.unescape(page.text)
    assert candidate.name in text and candidate.note in text
    assert candidate.phone not in text and candidate.email not in text
    assert draft.interview.round.focus_en in text
    assert text.count("What a good answer shows") == sum(
        1 for q in draft.version.questions if q.guidance_en or q.guidance_zh
    )
    for question in draft.version.questions:
        assert question.text_en in text
        star_fields = [f'data-field="star.{question.id}.{p}"' for p in service.STAR_PARTS]
        assert all((f in page.text) == question.star for f in star_fields), question.key
    for crit in draft.version.criteria:
        assert crit.name_en in text
        for point in (1, 2, 3, 4):
            assert getattr(crit, f"anchor{point}_en") in text
            assert f'name="rating-{crit.id}" value="{point}"' in page.text
        assert f'name="rating-{crit.id}" value="na"' in page.text
        assert f'data-field="rating.{crit.id}.note"' in page.text
    for flag in draft.interview.application.job.red_flags:
        assert f'data-field="flag.{flag.id}"' in page.text
    assert page.text.count('name="overall"') == 4
    assert 'data-field="takeaways"' in page.text
    assert "js/kit.js" in page.text and "<script>" not in page.text
    # The draft's saved values are on the page.
    rated = [r for r in draft.ratings if r.value]
    assert rated
    for rating in rated:
        checked = re.compile(
            rf'name="rating-{rating.criterion_id}" value="{rating.value}"[^>]*\bchecked\b'
        )
        assert checked.search(page.text), rating.criterion_id
    assert len(re.findall(r"\bchecked\b", page.text)) >= len(rated) + 1  # + the overall


def test_kit_uses_the_scorecards_own_version(kit1: Kit, db):
    draft = card(kit1.card_id)
    rnd = draft.interview.round
    newer = ScorecardVersion(round=rnd, number=len(rnd.versions) + 1)
    newer.criteria.append(
        Criterion(
            key="brand_new",
            dimension=Dimension.TECHNICAL,
            name_en="A brand-new criterion",
            name_zh="新标准",
            anchor1_en="NEWANCHOR",
        )
    )
    db.session.add(newer)
    db.session.commit()
    text = html.unescape(kit1.client.get(f"/kit/{draft.id}").text)
    assert "A brand-new criterion" not in text and "NEWANCHOR" not in text
    assert draft.version.criteria[0].name_en in text
    new_id = newer.criteria[0].id
    response = kit1.save({f"rating.{new_id}.value": 3})
    assert response.status_code == 422  # a criterion of another version


def test_kit_page_is_only_for_its_author(client, demo):
    draft = zheng_draft()
    for email in ("interviewer2@demo.test", "manager@demo.test", "admin@demo.test"):
        fresh = client.application.test_client()
        sign_in(fresh, email)
        assert fresh.get(f"/kit/{draft.id}").status_code == 404, email


def test_my_interviews_groups_and_opens_the_kit(kit1: Kit):
    page = kit1.client.get("/my/interviews").text
    draft = card(kit1.card_id)
    assert f'href="/kit/{draft.id}"' in page
    today = page[page.index('id="section-today"') : page.index('id="section-waiting"')]
    assert "郑洁" in today
    submitted = page[page.index('id="section-submitted"') :]
    assert "钱芳" in submitted


def test_overdue_drafts_are_marked(client, demo):
    sign_in(client, "interviewer3@demo.test")
    page = client.get("/my/interviews").text
    waiting = page[page.index('id="section-waiting"') : page.index('id="section-upcoming"')]
    assert "孙磊" in waiting and "Overdue" in waiting
    assert "罗敏" not in page  # the cancelled interview is not listed


# --- blind until submitted ------------------------------------------------------------------


def test_nothing_of_a_colleague_shows_before_submitting(kit1: Kit):
    peer = _mark_peer()
    draft = card(kit1.card_id)
    bodies = [
        kit1.client.get(f"/kit/{draft.id}").text,
        kit1.client.get("/my/interviews").text,
        kit1.client.get(f"/interviews/{draft.interview_id}").text,
        kit1.client.get(f"/kit/{draft.id}/state").text,
        kit1.client.get(f"/kit/{peer.id}").text,
        kit1.client.get(f"/kit/{peer.id}/state").text,
        kit1.save({"overall": 2}).get_data(as_text=True),
        kit1.save({"overall": 3}, lock=1).get_data(as_text=True),  # a conflict answer
        kit1.submit("blind-key-00001").get_data(as_text=True),  # incomplete: the errors
        kit1.save({"overall": 1}, card_id=peer.id).get_data(as_text=True),
    ]
    for body in bodies:
        assert MARK_NOTE not in body and MARK_TAKE not in body
        assert peer.interviewer.name not in body
    assert visibility.visible_scorecards(user("interviewer1"), draft.interview) == [draft]


def test_colleagues_show_after_submitting(kit1: Kit):
    _mark_peer()
    draft = card(kit1.card_id)
    complete(kit1, draft)
    assert kit1.submit("after-key-00001").status_code == 200
    page = kit1.client.get(f"/kit/{draft.id}").text
    assert MARK_NOTE in page and MARK_TAKE in page
    assert "刘洋" in page  # interviewer2's name
    # The JSON of one's own scorecard still holds only one's own data.
    assert MARK_NOTE not in kit1.client.get(f"/kit/{draft.id}/state").text


def test_hide_until_debrief_shows_a_note_until_the_decision(kit1: Kit, db):
    _mark_peer()
    draft = card(kit1.card_id)
    job = draft.interview.application.job
    job.hide_until_debrief = True
    db.session.commit()
    complete(kit1, draft)
    assert kit1.submit("debrief-key-001").status_code == 200
    page = kit1.client.get(f"/kit/{draft.id}").text
    assert MARK_NOTE not in page
    assert 'id="kit-panel-hidden"' in page
    iv = card(kit1.card_id).interview
    db.session.add(
        RoundDecision(
            application_id=iv.application_id,
            round_id=iv.round_id,
            decision=RoundDecisionKind.ADVANCE,
            decided_by_id=user("manager").id,
        )
    )
    db.session.commit()
    page = kit1.client.get(f"/kit/{draft.id}").text
    assert MARK_NOTE in page and 'id="kit-panel-hidden"' not in page


def _spec_visible(viewer: User, card_: Scorecard) -> bool:
    """The blind rule written out plainly, to check the SQL version against."""
    if card_.interviewer_id == viewer.id:
        return True
    if card_.status != ScorecardStatus.SUBMITTED:
        return False
    iv = card_.interview
    job = iv.application.job
    member = _db.session.scalar(
        sa.select(JobMember).where(JobMember.job_id == job.id, JobMember.user_id == viewer.id)
    )
    if viewer.role != Role.ADMIN and member is None:
        return False
    leads = viewer.role == Role.ADMIN or member.job_role in (
        JobRole.RECRUITER,
        JobRole.HIRING_MANAGER,
    )
    own = [
        c
        for other in _db.session.scalars(
            sa.select(Interview).where(
                Interview.application_id == iv.application_id,
                Interview.round_id == iv.round_id,
                Interview.status == InterviewStatus.SCHEDULED,
            )
        )
        for c in other.scorecards
        if c.interviewer_id == viewer.id
    ]
    if not own:
        return leads
    if any(c.status != ScorecardStatus.SUBMITTED for c in own):
        return False
    debriefed = _db.session.scalar(
        sa.select(RoundDecision.id).where(
            RoundDecision.application_id == iv.application_id,
            RoundDecision.round_id == iv.round_id,
        )
    )
    return not (job.hide_until_debrief and debriefed is None and not leads)


def test_blind_rule_sql_matches_the_plain_rule_for_every_user_and_scorecard(demo, db):
    jobs = {c.interview.application.job for c in db.session.scalars(sa.select(Scorecard))}
    first = sorted(jobs, key=lambda j: j.id)[0]
    first.hide_until_debrief = True  # exercise the debrief branch too
    some = db.session.scalars(sa.select(Interview).order_by(Interview.id)).all()[::3]
    for iv in some[:3]:
        db.session.add(
            RoundDecision(
                application_id=iv.application_id,
                round_id=iv.round_id,
                decision=RoundDecisionKind.HOLD,
                decided_by_id=user("manager").id,
            )
        )
    db.session.commit()
    cards = db.session.scalars(sa.select(Scorecard)).all()
    users = db.session.scalars(sa.select(User)).all()
    checked = mismatches = 0
    for viewer, card_ in itertools.product(users, cards):
        sql = card_.id in set(
            db.session.scalars(
                sa.select(Scorecard.id).where(
                    Scorecard.id == card_.id, visibility.visible_scorecard_clause(viewer)
                )
            )
        )
        checked += 1
        if sql != _spec_visible(viewer, card_):
            mismatches += 1
    assert checked == len(users) * len(cards) > 100
    assert mismatches == 0
    # And the page-level answer agrees for every interview and user.
    for viewer in users:
        for iv in {c.interview for c in cards}:
            shown = {c.id for c in visibility.visible_scorecards(viewer, iv)}
            assert shown == {c.id for c in iv.scorecards if _spec_visible(viewer, c)}


# --- a long interview keeps its session; an expired one says so ----------------------------


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def time(self) -> float:
        return self.now


def test_three_hours_of_autosaves_keep_the_session(client, demo, monkeypatch):
    import scorecard.auth.session as session_module

    clock = Clock(1_900_000_000.0)
    monkeypatch.setattr(session_module, "time", clock)
    token = sign_in(client, "interviewer1@demo.test")
    kit = Kit(client, token, zheng_draft().id)
    crit = card(kit.card_id).version.criteria[0]
    for minute in range(0, 181, 20):  # a save every 20 minutes for three hours
        clock.now += 20 * 60
        response = kit.save({f"rating.{crit.id}.note": f"minute {minute}"})
        assert response.status_code == 200, (minute, response.get_data(as_text=True))
    # A quiet stretch with the kit's keep-alive pings in between.
    for _ in range(4):
        clock.now += 25 * 60
        assert client.post("/kit/ping", json={}, headers={"X-CSRFToken": token}).status_code == 200
    assert kit.save({f"rating.{crit.id}.note": "still here"}).status_code == 200
    assert kit.state()["fields"][f"rating.{crit.id}.note"] == "still here"


def test_an_expired_session_answers_signed_out_and_stores_nothing(client, demo, monkeypatch):
    import scorecard.auth.session as session_module

    clock = Clock(1_900_000_000.0)
    monkeypatch.setattr(session_module, "time", clock)
    token = sign_in(client, "interviewer1@demo.test")
    kit = Kit(client, token, zheng_draft().id)
    lock = card(kit.card_id).lock_version
    clock.now += 31 * 60
    response = kit.save({"takeaways": "after the idle limit"}, lock=lock)
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "signed_out" and "kept on this device" in error["message"]
    assert card(kit.card_id).takeaways != "after the idle limit"
    # The session is gone: the next call is refused too (the page keeps its ledger).
    again = kit.save({"takeaways": "again"}, lock=lock)
    assert again.status_code in (400, 401)
    assert card(kit.card_id).lock_version == lock


def test_ratings_saved_are_the_ones_stored(kit1: Kit, db):
    draft = card(kit1.card_id)
    crit = draft.version.criteria[6]
    assert kit1.save({f"rating.{crit.id}.value": 2}).status_code == 200
    value = db.session.scalar(
        sa.select(Rating.value).where(
            Rating.scorecard_id == draft.id, Rating.criterion_id == crit.id
        )
    )
    assert value == 2


def test_untranslated_texts_fall_back_visibly_in_the_kit(kit1: Kit, db):
    draft = card(kit1.card_id)
    crit = draft.version.criteria[0]
    crit.name_en = ""
    crit.anchor2_en = "   "
    db.session.commit()
    page = kit1.client.get(f"/kit/{draft.id}", headers={"Accept-Language": "en"}).text
    fallback = (
        '<span class="fallback" lang="zh" title="Not translated yet: shown in the other language">'
    )
    assert f"{fallback}{html.escape(crit.name_zh)}</span>" in page
    assert f"{fallback}{html.escape(crit.anchor2_zh)}</span>" in page


def test_the_kit_lists_the_jobs_red_flags_in_order_with_the_ticked_ones_checked(kit1: Kit):
    """Ratings, STAR notes and red flags come from one statement (statements.KIT_CONTENT)."""
    job = card(kit1.card_id).interview.application.job
    flags = sorted(job.red_flags, key=lambda f: (f.position, f.id))
    assert len(flags) >= 3
    flags[-1].position, flags[0].position = flags[0].position - 1, flags[-1].position + 1
    _db.session.commit()
    expected = sorted(job.red_flags, key=lambda f: (f.position, f.id))
    ticked = expected[1]
    assert kit1.save({f"flag.{ticked.id}": True}).status_code == 200
    page = kit1.client.get(f"/kit/{kit1.card_id}").text
    shown = re.findall(r'data-field="flag\.(\d+)"[^>]*?( checked)?>', page)
    assert [int(i) for i, _c in shown] == [f.id for f in expected]
    assert [bool(c) for _i, c in shown] == [f is ticked for f in expected]
    for flag in expected:
        assert html.escape(flag.label_en) in page
