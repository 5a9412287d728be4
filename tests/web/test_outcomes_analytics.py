"""Issue 14: outcomes (record, import, audit, erasure), validity, interviewer report, adverse
impact — through the real pages, with the trust world's two jobs and hiring teams."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from scorecard.extensions import db as _db
from scorecard.models import (
    AuditEvent,
    Outcome,
    Role,
    SelfIdentification,
)
from scorecard.services import adverse_impact, outcomes, privacy
from tests.conftest import IsolatedClient, csrf_from, without_csrf_tokens
from tests.web.analytics_support import scored_application
from tests.web.test_privacy_erasure import dump_database
from tests.web.trust_world import build_world, route_urls, sign_in

MARKER_VALUE = "MRKSELFIDVALUEQ7Z"  # a self-identification answer that must stay in its report
MARKER_CATEGORY = "mrkcat"


@pytest.fixture
def world(app, db):
    app.test_client_class = IsolatedClient
    w = build_world(decisions=True)
    own = w.scopes["own"]
    users = w.users
    panel = [users["interviewer_panel"], users["interviewer_submitted"]]
    w.extra["hires"] = [
        scored_application(
            own.job, panel, users["hr"], v, True, f"Hire {n}", email=f"hire{n}@example.com"
        )
        for n, v in enumerate((2, 3, 3, 4, 4, 2))
    ]
    w.extra["rejected"] = [
        scored_application(own.job, panel, users["hr"], v, False, f"Reject {n}")
        for n, v in enumerate((1, 2, 2))
    ]
    _db.session.commit()
    return w


def _page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def _post(client, url, data, page_url=None):
    html = client.get(page_url or url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), **data}
    return client.post(url, data=data)


# --- outcomes ------------------------------------------------------------------------------


def test_manager_records_an_outcome_audited_and_interviewers_never_see_it(app, world):
    own = world.scopes["own"]
    hire = world.extra["hires"][0]
    manager = sign_in(app, world.users["manager"])
    url = f"/jobs/{own.job.id}/outcomes"
    response, html = _page(manager, url)
    assert response.status_code == 200 and "Hire 0" in html
    cps = outcomes.checkpoints(own.job)
    probation = next(c for c in cps if c.key == "probation")
    prefix = f"o{hire.id}-{probation.key}"
    token = csrf_from(html)
    bad = manager.post(
        url,
        data={
            "csrf_token": token,
            "application_id": hire.id,
            "checkpoint": probation.key,
            f"{prefix}-result": "maybe",
        },
    )
    assert bad.status_code == 422, bad.get_data(as_text=True)[-1500:]
    assert "passed, not_passed or left_early" in bad.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(Outcome.id))) == 0
    ok = manager.post(
        url,
        data={
            "csrf_token": token,
            "application_id": hire.id,
            "checkpoint": probation.key,
            f"{prefix}-result": "passed",
            f"{prefix}-note": "MRKOUTCOMENOTE settled in well",
        },
    )
    assert ok.status_code == 302
    row = _db.session.scalars(sa.select(Outcome)).one()
    assert row.probation.value == "passed" and row.recorded_by_id == world.users["manager"].id
    event = _db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcome.record")
    ).one()
    assert event.after["probation"] == "passed" and event.job_id == own.job.id
    # HR on the team reads it but may not record in the browser (the import is HR's way).
    hr = sign_in(app, world.users["hr"])
    assert "MRKOUTCOMENOTE" in _page(hr, url)[1]
    assert _post(hr, url, {"application_id": hire.id}).status_code == 404
    # Interviewers: the page is hidden, and no page they can open shows the note.
    for actor in ("interviewer_panel", "interviewer_submitted", "interviewer_off_panel"):
        c = sign_in(app, world.users[actor])
        assert c.get(url).status_code == 404
        for _endpoint, page_url in route_urls(app, world, "own"):
            assert b"MRKOUTCOMENOTE" not in c.get(page_url).get_data(), (actor, page_url)


def _csv(text: str):
    return (io.BytesIO(text.encode("utf-8")), "outcomes.csv")


def test_hr_imports_outcomes_with_preview_and_three_bad_rows(app, world):
    own = world.scopes["own"]
    hr = sign_in(app, world.users["hr"])
    html = hr.get(f"/outcomes/import?job={own.job.id}").get_data(as_text=True)
    text = (
        "email,checkpoint,result,note\n"
        "hire0@example.com,probation,passed,good start\n"
        "hire1@example.com,performance_6m,3,steady\n"
        "hire2@example.com,probation,left_early,\n"
        "nobody@example.com,probation,passed,\n"  # bad: not a hire
        "hire3@example.com,performance_6m,7,\n"  # bad: rating out of range
        "hire4@example.com,unknown,passed,\n"  # bad: unknown checkpoint
    )
    preview = hr.post(
        "/outcomes/import/preview",
        data={
            "csrf_token": csrf_from(html),
            "default_job": own.job.id,
            "file": _csv(text),
        },
        content_type="multipart/form-data",
    )
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Rows: 6. Ready to import: 3. With problems: 3." in body
    assert "No hired candidate with this e-mail for this job." in body
    assert "The rating must be a whole number from 1 to 4." in body
    assert "Unknown checkpoint: unknown." in body
    assert _db.session.scalar(sa.select(sa.func.count(Outcome.id))) == 0  # preview writes none
    run = hr.post(
        "/outcomes/import/run",
        data={"csrf_token": csrf_from(body), "text": text, "default_job": str(own.job.id)},
    )
    assert run.status_code == 302
    assert _db.session.scalar(sa.select(sa.func.count(Outcome.id))) == 3
    # The same file again changes nothing (each row sets a value).
    hr.post(
        "/outcomes/import/run",
        data={"csrf_token": csrf_from(body), "text": text, "default_job": str(own.job.id)},
    )
    assert _db.session.scalar(sa.select(sa.func.count(Outcome.id))) == 3
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "outcome.record")
        )
        == 3
    )
    # Not a CSV with the right header: a clear message, nothing stored.
    bad = hr.post(
        "/outcomes/import/preview",
        data={"csrf_token": csrf_from(body), "file": _csv("a,b\n1,2\n")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "The first line must name the columns" in bad.get_data(
        as_text=True
    )


# --- validity ------------------------------------------------------------------------------


def _record_all(world, results):
    own = world.scopes["own"]
    cps = {c.key: c for c in outcomes.ensure_checkpoints(own.job)}
    for hire, (probation, rating) in zip(world.extra["hires"], results, strict=True):
        outcomes.record_outcome(hire, cps["probation"], probation, "", world.users["manager"])
        outcomes.record_outcome(hire, cps["performance_6m"], rating, "", world.users["manager"])
    _db.session.commit()


def test_validity_report_insufficient_then_figures(app, world):
    own = world.scopes["own"]
    hr = sign_in(app, world.users["hr"])
    url = f"/jobs/{own.job.id}/validity"
    # No outcomes yet: words, never NaN.
    response, html = _page(hr, url)
    assert response.status_code == 200
    assert "insufficient data" in html and "nan" not in html.lower()
    _record_all(
        world,
        [
            ("not_passed", "2"),
            ("passed", "3"),
            ("passed", "2"),
            ("passed", "4"),
            ("passed", "4"),
            ("left_early", "1"),
        ],
    )
    html = _page(hr, url)[1]
    assert "insufficient data" in html  # 6 hires < 30
    assert "left early (not counted): 1" in html
    # With the job's threshold lowered, the figures appear with their intervals.
    adverse_impact.set_min_hires(own.job, 4, world.users["hr"])
    _db.session.commit()
    html = _page(hr, url)[1]
    assert "corrected for range restriction" in html
    assert "<svg" in html and "nan" not in html.lower()
    # Across jobs, for staff; interviewers never.
    assert hr.get("/validity").status_code == 200
    iv = sign_in(app, world.users["interviewer_submitted"])
    assert iv.get(url).status_code == 404 and iv.get("/validity").status_code == 404


def test_validity_leaves_out_applications_the_viewer_is_blind_to(app, world):
    """The hiring manager with a draft on a hire's interview sees no figure built on it."""
    from scorecard.services import analytics

    own = world.scopes["own"]
    manager = world.users["manager"]
    report_before = analytics.validity(own.job, manager)
    assert report_before.scored == 9 + 1  # nine built here, plus the world's own candidate
    hire = world.extra["hires"][0]
    from datetime import timedelta

    from scorecard.models import utcnow
    from scorecard.services import scheduling

    scheduling.schedule_interview(
        hire, own.job.rounds[0], utcnow() - timedelta(hours=1), [manager], world.users["hr"]
    )
    _db.session.commit()
    report_after = analytics.validity(own.job, manager)
    assert report_after.scored == report_before.scored - 1
    assert report_after.hires == report_before.hires - 1


# --- interviewer report --------------------------------------------------------------------


def test_interviewer_report_everyone_for_hr_own_row_for_interviewers(app, world):
    hr = sign_in(app, world.users["hr"])
    html = _page(hr, "/interviewer-report")[1]
    assert world.users["interviewer_panel"].name in html
    assert world.users["interviewer_submitted"].name in html
    iv = sign_in(app, world.users["interviewer_submitted"])
    response, html = _page(iv, "/interviewer-report")
    assert response.status_code == 200
    assert world.users["interviewer_submitted"].name in html
    assert world.users["interviewer_panel"].name not in html
    assert f'data-user="{world.users["interviewer_submitted"].id}"' in html
    assert html.count("data-user=") == 1
    # One interviewer's report: one's own opens, another's is refused (HR opens any).
    me, peer = world.users["interviewer_submitted"], world.users["interviewer_panel"]
    own = _page(iv, f"/interviewer-report?interviewer={me.id}")[1]
    assert f'data-user="{me.id}"' in own and own.count("data-user=") == 1
    for value in (peer.id, world.users["hr"].id, 999999, "x"):
        assert iv.get(f"/interviewer-report?interviewer={value}").status_code == 404, value
    one = _page(hr, f"/interviewer-report?interviewer={me.id}")[1]
    assert f'data-user="{me.id}"' in one and one.count("data-user=") == 1
    assert f"Figures of {me.name}." in one


# --- adverse impact ------------------------------------------------------------------------


def _turn_on(app, world, with_marker: bool = False):
    admin = sign_in(app, world.users["admin"])
    categories = "sex: female, male"
    if with_marker:
        categories += f"\n{MARKER_CATEGORY}: {MARKER_VALUE}, other value"
    html = admin.get("/admin/adverse-impact").get_data(as_text=True)
    response = admin.post(
        "/admin/adverse-impact",
        data={
            "csrf_token": csrf_from(html),
            "ai-scope": "0",
            "ai-enabled": "y",
            "ai-purpose": "Bias audit of our recommendation (Local Law 144).",
            "ai-categories": categories,
        },
    )
    assert response.status_code == 302
    return admin


def test_adverse_impact_off_by_default_then_admin_turns_it_on(app, world):
    own = world.scopes["own"]
    hr = sign_in(app, world.users["hr"])
    url = f"/candidates/{world.extra['hires'][0].candidate_id}/self-identification"
    assert "not turned on" in _page(hr, url)[1]
    admin = sign_in(app, world.users["admin"])
    html = admin.get("/admin/adverse-impact").get_data(as_text=True)
    refused = admin.post(
        "/admin/adverse-impact",
        data={"csrf_token": csrf_from(html), "ai-scope": "0", "ai-enabled": "y"},
    )
    assert refused.status_code == 422 and "Say why the data is collected" in refused.get_data(
        as_text=True
    )
    assert not adverse_impact.enabled(own.job)
    _turn_on(app, world)
    assert adverse_impact.enabled(own.job)
    html = _page(hr, url)[1]
    assert "Bias audit of our recommendation" in html  # the purpose note, shown to HR
    no_consent = hr.post(url, data={"csrf_token": csrf_from(html), "cat-sex": "female"})
    assert no_consent.status_code == 422
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 0
    bad = hr.post(url, data={"csrf_token": csrf_from(html), "cat-sex": "x", "consent": "y"})
    assert bad.status_code == 422 and "Choose one of the offered answers." in bad.get_data(
        as_text=True
    )
    ok = hr.post(url, data={"csrf_token": csrf_from(html), "cat-sex": "female", "consent": "y"})
    assert ok.status_code == 302
    after = _page(hr, url)[1]
    assert "An answer is on file" in after
    # The report: admins yes; the hiring manager and HR without the permission no.
    assert admin.get("/adverse-impact").status_code == 200
    assert sign_in(app, world.users["manager"]).get("/adverse-impact").status_code == 404
    assert hr.get("/adverse-impact").status_code == 404


def test_adverse_impact_report_figures_and_small_groups(app, world):
    own = world.scopes["own"]
    admin = _turn_on(app, world)
    apps = world.extra["hires"] + world.extra["rejected"]
    for application, value in zip(apps, ["female"] * 5 + ["male"] * 4, strict=True):
        adverse_impact.record_self_identification(
            application.candidate_id, {"sex": value}, True, world.users["hr"]
        )
    _db.session.commit()
    html = _page(admin, f"/adverse-impact?job={own.job.id}&category=sex")[1]
    # Hire stage: female 5 of 5 hired; male 1 of 4 (too few to report: under 5).
    assert "too few to report" in html
    assert "Only one group is large enough" in html
    # Grant the permission: the hiring manager then reads it.
    grant_page = admin.get("/admin/adverse-impact").get_data(as_text=True)
    admin.post(
        "/admin/adverse-impact",
        data={
            "csrf_token": csrf_from(grant_page),
            "action": "grant",
            "g-user_id": world.users["manager"].id,
            "g-granted": "1",
        },
    )
    assert sign_in(app, world.users["manager"]).get("/adverse-impact").status_code == 200


R19_ROLES = ("admin", "hr", "manager", "interviewer_panel", "interviewer_submitted", "compliance")
# Where the marker is part of the category's *definition*: the admin's settings, and the
# pages that offer it as an answer to those who enter answers. Those pages must show it as
# often after the candidates answered as before: an answer never adds to it.
DEFINITION = {
    "analytics.adverse_settings",
    "analytics.self_identification",
    "analytics.self_id_import",
}
REPORT = "analytics.adverse_report"


def _endpoint(app, url: str) -> str:
    path = url.split(" ")[1] if url.startswith(("API ", "POST ")) else url
    try:
        return app.url_map.bind("localhost").match(path.split("?")[0])[0]
    except Exception:  # a link to nowhere: 404 answers are searched too
        return "?"


def _r19_surfaces(app, world, actor: str, seeds: list[str], extra, applications) -> dict:
    """url → text of every answer `actor` gets: pages and downloads (crawled), the bearer
    API, each candidate's data export ZIP, the calendar feed and the import's preview."""
    from scorecard.services import calendar
    from tests.web.test_security_blind import _probe_api, crawl, readable

    user = world.users[actor]
    client = sign_in(app, user)
    out = crawl(client, seeds, limit=3000)
    assert len(out) < 3000, "the crawl stopped at its limit"
    out.update(_probe_api(app, world, actor, extra=extra))
    token = re.search(
        r'name="csrf-token" content="([^"]+)"', client.get("/settings").get_data(True)
    )
    for application in applications:
        for language in ("en", "zh_CN"):
            url = f"/admin/candidates/{application.candidate_id}/export"
            response = client.post(url, data={"csrf_token": token.group(1), "language": language})
            out[f"POST {url} {language}"] = f"{response.status_code}\n{readable(response)}"
    with app.test_request_context():
        feed = calendar.create_feed(user)
        _db.session.commit()
    response = app.test_client().get(f"/calendar/{feed}.ics")
    assert response.status_code == 200
    out[f"GET /calendar/{actor}.ics"] = f"{response.status_code}\n{readable(response)}"
    lines = [f"email,consent,{MARKER_CATEGORY}"]
    lines += [f"{a.candidate.email or ''},yes,{MARKER_VALUE}" for a in applications]
    lines += ["nobody@example.com,yes,MRKSELFIDVALUEQ7Z"]
    response = client.post(
        "/self-identification/import/preview",
        data={
            "csrf_token": token.group(1),
            "file": (io.BytesIO("\n".join(lines).encode()), "answers.csv"),
        },
        content_type="multipart/form-data",
    )
    out["POST /self-identification/import/preview"] = (
        f"{response.status_code}\n{readable(response)}"
    )
    return out


def test_r19_self_identification_only_in_its_report_and_gone_after_erasure(app, world, request):
    """R19: the marker answer appears in the adverse-impact report only (for those who read
    it), in no other page, download (XLSX and ZIP read inside), API answer, calendar feed or
    import preview for any role, in no table but its own before erasure, and in none after."""
    from scorecard.models import JobRole
    from scorecard.services.setup.team import add_member
    from tests.web.trust_figures import report
    from tests.web.trust_world import _user

    own = world.scopes["own"]
    compliance = _user("compliance@trust.test", Role.MANAGER, "Cora Compliance")
    _db.session.flush()
    add_member(own.job, compliance, JobRole.HIRING_MANAGER, None)
    world.users["compliance"] = compliance
    _db.session.commit()
    admin = _turn_on(app, world, with_marker=True)
    grant_page = admin.get("/admin/adverse-impact").get_data(as_text=True)
    granted = admin.post(
        "/admin/adverse-impact",
        data={
            "csrf_token": csrf_from(grant_page),
            "action": "grant",
            "g-user_id": compliance.id,
            "g-granted": "1",
        },
    )
    assert granted.status_code == 302
    apps = world.extra["hires"][:5] + world.extra["rejected"][:2]
    extra = {
        "application_id": [a.id for a in apps],
        "candidate_id": [a.candidate_id for a in apps],
    }
    from tests.web.test_security_blind import _seed_urls

    seeded = _seed_urls(app, world, extra=extra)
    # The report itself, on the marker's category: the one place its readers see it.
    seeds = [url for _e, url in seeded]
    seeds.append(f"/adverse-impact?job={own.job.id}&category={MARKER_CATEGORY}")
    # Before anyone answers: how often each definition page shows the marker.
    baseline: dict[tuple[str, str], set[int]] = {}
    definition_urls = [url for endpoint, url in seeded if endpoint in DEFINITION]
    for actor in R19_ROLES:
        c = sign_in(app, world.users[actor])
        for url in definition_urls:
            body = c.get(url).get_data(as_text=True)
            baseline.setdefault((actor, _endpoint(app, url)), set()).add(body.count(MARKER_VALUE))
    for application in apps:
        adverse_impact.record_self_identification(
            application.candidate_id, {MARKER_CATEGORY: MARKER_VALUE}, True, world.users["hr"]
        )
    _db.session.commit()

    cases, kinds, leaks, definitions = 0, {"page": 0, "file": 0, "api": 0}, [], {}
    report_readers = set()
    for actor in R19_ROLES:
        surfaces = _r19_surfaces(app, world, actor, seeds, extra, apps)
        for url, text in surfaces.items():
            endpoint = _endpoint(app, url)
            count = text.count(MARKER_VALUE)
            cases += 1
            if url.startswith("API "):
                kinds["api"] += 1
            elif (
                "Content-Disposition: attachment" in text or url.endswith(".ics") or "export" in url
            ):
                kinds["file"] += 1
            else:
                kinds["page"] += 1
            if endpoint == REPORT:
                if count:
                    report_readers.add(actor)
                continue
            if endpoint in DEFINITION and count:
                definitions.setdefault(endpoint, set()).add(actor)
                if count not in baseline.get((actor, endpoint), {0}):
                    leaks.append(f"{actor} {url}: {count} (definition shows {baseline})")
                continue
            if count:
                leaks.append(f"{actor} {url}: {count}")
    # The report names the group to those who read it, and only to them: it is the one place.
    assert report_readers == {"admin", "compliance"}, report_readers
    assert definitions == {
        "analytics.adverse_settings": {"admin"},
        "analytics.self_identification": {"admin", "hr"},
        "analytics.self_id_import": {"admin", "hr"},
    }, definitions
    # The entry form never tells which option a candidate chose: the page of a candidate who
    # answered the marker is the page of one who answered the other value.
    other = world.extra["rejected"][2]
    adverse_impact.record_self_identification(
        other.candidate_id, {MARKER_CATEGORY: "other value"}, True, world.users["hr"]
    )
    _db.session.commit()
    hr = sign_in(app, world.users["hr"])

    def entry_page(application) -> str:
        html = hr.get(f"/candidates/{application.candidate_id}/self-identification").get_data(
            as_text=True
        )
        html = html.replace(application.candidate.name, "NAME")
        html = html.replace(f"/candidates/{application.candidate_id}/", "/candidates/ID/")
        return without_csrf_tokens(html)

    assert entry_page(apps[0]) == entry_page(other)
    # Stored: only in its own table and the category's definition (no audit text, e-mail,
    # webhook or export log holds it).
    before = [line for line in dump_database().splitlines() if MARKER_VALUE in line]
    outside = [
        line
        for line in before
        if "self_identifications" not in line and "analytics_settings" not in line
    ]
    assert any("self_identifications" in line for line in before)
    leaks += [f"database before erasure: {line[:200]}" for line in outside]
    # Erasure: the answers go; the only remaining mention is the category's definition.
    with app.test_request_context():
        for application in apps:
            privacy.erase_candidate(application.candidate, "request", world.users["admin"])
    _db.session.commit()
    erased_ids = [a.candidate_id for a in apps]
    assert (
        _db.session.scalar(
            sa.select(sa.func.count(SelfIdentification.id)).where(
                SelfIdentification.candidate_id.in_(erased_ids)
            )
        )
        == 0
    )
    after = [line for line in dump_database().splitlines() if MARKER_VALUE in line]
    assert after and any("analytics_settings" in line for line in after)
    outside_after = [line for line in after if "analytics_settings" not in line]
    leaks += [f"database after erasure: {line[:200]}" for line in outside_after]
    report(
        request.config,
        "R19",
        f"R19: {cases} (surface, role) cases checked over {len(R19_ROLES)} roles "
        f"({kinds['page']} pages, {kinds['file']} exports and feeds, {kinds['api']} API "
        f"answers; XLSX and ZIP read inside): {len(leaks)} leaks outside the report; "
        f"database dump after erasure: {len(outside_after)} appearances outside the "
        "category's definition",
    )
    where = sorted({leak.split(":")[0].split("?")[0] for leak in leaks})
    assert not leaks, "\n".join(leaks[:30] + ["...", "where:", *where])


def test_erasure_blanks_outcome_notes_keeps_values(app, world):
    hire = world.extra["hires"][0]
    cps = {c.key: c for c in outcomes.ensure_checkpoints(world.scopes["own"].job)}
    with app.test_request_context():
        outcomes.record_outcome(
            hire, cps["probation"], "passed", "MRKERASENOTE went well", world.users["manager"]
        )
        _db.session.commit()
        privacy.erase_candidate(hire.candidate, "request", world.users["admin"])
    _db.session.commit()
    row = _db.session.scalars(sa.select(Outcome)).one()
    assert row.note == "" and row.probation.value == "passed"
    assert "MRKERASENOTE" not in dump_database()


def test_roles_cannot_reach_what_they_should_not(app, world):
    own = world.scopes["own"]
    iv = sign_in(app, world.users["interviewer_panel"])
    for url in (
        f"/jobs/{own.job.id}/outcomes",
        f"/jobs/{own.job.id}/outcomes/settings",
        "/outcomes/import",
        "/admin/adverse-impact",
        "/adverse-impact",
        f"/candidates/{own.candidate.id}/self-identification",
    ):
        assert iv.get(url).status_code == 404, url
    assert world.users["interviewer_panel"].role == Role.INTERVIEWER


def test_demo_outcomes_are_idempotent(app, world):
    from scorecard.seed.outcomes import seed_demo_outcomes

    with app.test_request_context():
        assert seed_demo_outcomes(world.users["manager"]) == 2 * len(world.extra["hires"])
        assert seed_demo_outcomes(world.users["manager"]) == 0


# --- self-identification import ------------------------------------------------------------


def _self_id_preview(client, text: str):
    html = client.get("/self-identification/import").get_data(as_text=True)
    return client.post(
        "/self-identification/import/preview",
        data={"csrf_token": csrf_from(html), "file": (io.BytesIO(text.encode()), "self-id.csv")},
        content_type="multipart/form-data",
    )


def _sealed(html: str) -> str:
    return re.search(r'name="sealed" type="hidden" value="([^"]+)"', html).group(1)


def test_self_identification_import_only_while_adverse_impact_is_on(app, world):
    hr = sign_in(app, world.users["hr"])
    assert "not turned on" in _page(hr, "/self-identification/import")[1]
    text = f"email,consent,sex\n{world.extra['hires'][0].candidate.email},yes,female\n"
    off = _self_id_preview(hr, text)
    assert off.status_code == 422
    assert "Adverse impact is not turned on" in off.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 0
    for actor in ("manager", "interviewer_panel"):
        c = sign_in(app, world.users[actor])
        assert c.get("/self-identification/import").status_code == 404, actor


def test_hr_imports_self_identification_with_preview_bad_rows_stored_never(app, world):
    _turn_on(app, world, with_marker=True)
    hires, rejected = world.extra["hires"], world.extra["rejected"]
    other = world.scopes["other"].candidate  # on a job HR is not on: not theirs to enter
    text = (
        f"email,candidate,consent,sex,{MARKER_CATEGORY}\n"
        f"{hires[0].candidate.email},,yes,female,{MARKER_VALUE}\n"
        f",#{hires[1].candidate_id},是,MALE,\n"  # answers match without regard to case
        f",{rejected[0].candidate_id},yes,prefers not to say,other value\n"
        "nobody@example.com,,yes,female,\n"  # bad: unknown candidate
        f",{other.id},yes,female,\n"  # bad: not on HR's teams
        f"{hires[2].candidate.email},,yes,MRKBADVALUEQ7Z,\n"  # bad: not an offered answer
        f"{hires[3].candidate.email},,,female,\n"  # bad: no consent
        f"{hires[4].candidate.email},,no,male,\n"  # bad: consent refused
        f"{hires[5].candidate.email},,yes,,\n"  # bad: no answer at all
        f"{hires[0].candidate.email},,yes,male,\n"  # bad: the same candidate again
    )
    hr = sign_in(app, world.users["hr"])
    page = _page(hr, "/self-identification/import")[1]
    assert MARKER_VALUE in page  # the upload page lists the offered answers (a definition)
    preview = _self_id_preview(hr, text)
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200, body[-2000:]
    assert "Rows: 10. Ready to import: 3. With problems: 7." in body
    bad = re.search(r'<table class="table" id="bad-rows">.*?</table>', body, re.S).group(0)
    assert bad.count("Unknown candidate: none with this e-mail or number") == 2
    assert "Column sex: not one of the offered answers." in bad
    assert bad.count("The candidate&#39;s consent is not recorded") == 2
    assert "No answer in any category column: nothing to store." in bad
    assert "Duplicate of line 2 in this file." in bad
    # The preview holds no answer, neither shown nor in the form that posts the file back.
    for value in (MARKER_VALUE, "MRKBADVALUEQ7Z", "female", "other value"):
        assert value not in body, value
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 0
    # A forged or altered sealed file changes nothing.
    token = _sealed(body)
    forged = hr.post(
        "/self-identification/import/run",
        data={"csrf_token": csrf_from(body), "sealed": token[:-4] + "AAAA"},
        follow_redirects=True,
    )
    assert "not valid or has expired" in forged.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 0
    run = hr.post(
        "/self-identification/import/run",
        data={"csrf_token": csrf_from(body), "sealed": token},
        follow_redirects=True,
    )
    assert "Self-identification imported for 3 candidates. Rows skipped: 7." in run.get_data(
        as_text=True
    )
    stored = {
        (s.candidate_id, s.category): (s.value, s.consent, s.recorded_by_id)
        for s in _db.session.scalars(sa.select(SelfIdentification))
    }
    hr_id = world.users["hr"].id
    assert stored == {
        (hires[0].candidate_id, "sex"): ("female", True, hr_id),
        (hires[0].candidate_id, MARKER_CATEGORY): (MARKER_VALUE, True, hr_id),
        (hires[1].candidate_id, "sex"): ("male", True, hr_id),
        (rejected[0].candidate_id, "sex"): (adverse_impact.PREFERS_NOT, True, hr_id),
        (rejected[0].candidate_id, MARKER_CATEGORY): ("other value", True, hr_id),
    }
    events = _db.session.scalars(sa.select(AuditEvent)).all()
    imported = [e for e in events if e.action == "self_identification.import"]
    assert len(imported) == 1 and imported[0].after["recorded"] == 3
    assert [p["line"] for p in imported[0].after["rejected"]] == [5, 6, 7, 8, 9, 10, 11]
    recorded = [e for e in events if e.action == "self_identification.record"]
    assert len(recorded) == 3
    texts = " ".join(str(e.before) + str(e.after) for e in events)
    for value in (MARKER_VALUE, "female", "other value", adverse_impact.PREFERS_NOT):
        assert value not in texts, value


def test_self_identification_import_messages_in_chinese_and_bad_files(app, world):
    _turn_on(app, world)
    hr = sign_in(app, world.users["hr"])
    zh = {"Accept-Language": "zh-CN"}
    html = hr.get("/self-identification/import", headers=zh).get_data(as_text=True)
    preview = hr.post(
        "/self-identification/import/preview",
        headers=zh,
        data={
            "csrf_token": csrf_from(html),
            "file": (io.BytesIO(b"email,consent,sex\nnobody@example.com,,female\n"), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "未知候选人" in body and "未记录候选人的同意" in body
    # Not a file with the consent column, no file, not text: clear messages, nothing stored.
    for data, message in (
        ({"file": (io.BytesIO(b"email,sex\nx@example.com,female\n"), "a.csv")}, "consent"),
        ({}, "Choose a CSV file."),
        ({"file": (io.BytesIO(b"\xff\xfe\x00\xd8\x00"), "a.csv")}, "could not be read"),
    ):
        response = hr.post(
            "/self-identification/import/preview",
            data={"csrf_token": csrf_from(html), **data},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count(SelfIdentification.id))) == 0


# --- empty, tiny and degenerate data: words on every report, never a 500 or NaN -----------

NOT_A_NUMBER = re.compile(r"\b(nan|inf|-inf|None)\b", re.I)


def _words(client, url: str, *expected: str) -> str:
    response, html = _page(client, url)
    assert response.status_code == 200, (url, response.status_code)
    text = re.sub(r"<[^>]+>", " ", html)
    assert not NOT_A_NUMBER.search(text), (url, NOT_A_NUMBER.search(text).group(0))
    for words in expected:
        assert words in html, (url, words)
    return html


def _team_job(world, title: str):
    from scorecard.models import JobRole
    from scorecard.services.setup.job_template import create_job_from_template, default_template
    from scorecard.services.setup.team import add_member

    users = world.users
    job = create_job_from_template(default_template(), users["hr"])
    job.title_en = title
    add_member(job, users["hr"], JobRole.RECRUITER, None)
    add_member(job, users["manager"], JobRole.HIRING_MANAGER, None)
    for actor in ("interviewer_panel", "interviewer_submitted"):
        add_member(job, users[actor], JobRole.INTERVIEWER, None)
    _db.session.commit()
    return job


def test_reports_of_a_job_without_candidates_say_so(app, world):
    job = _team_job(world, "Empty job")
    admin = _turn_on(app, world)
    for actor in ("admin", "hr", "manager"):
        c = sign_in(app, world.users[actor])
        _words(
            c,
            f"/jobs/{job.id}/validity",
            "No hires with scores yet: there is nothing to relate scores to.",
        )
        _words(c, f"/jobs/{job.id}/outcomes", "No hired candidates yet")
    _words(
        admin,
        f"/adverse-impact?job={job.id}&category=sex",
        "Candidates: 0. Without an answer in this category (not counted): 0.",
        "No group has enough candidates to report.",
    )
    # An interviewer who has written nothing yet.
    off = sign_in(app, world.users["interviewer_off_panel"])
    _words(off, "/interviewer-report", "No submitted scorecards yet.")
    me = world.users["interviewer_off_panel"].id
    _words(off, f"/interviewer-report?interviewer={me}", "No submitted scorecards yet.")


def test_reports_when_every_hire_has_the_same_score_and_outcome(app, world):
    users = world.users
    job = _team_job(world, "Same scores")
    panel = [users["interviewer_panel"], users["interviewer_submitted"]]
    hires = [scored_application(job, panel, users["hr"], 3, True, f"Same {n}") for n in range(5)]
    _db.session.commit()
    cps = {c.key: c for c in outcomes.ensure_checkpoints(job)}
    for hire in hires:
        outcomes.record_outcome(hire, cps["probation"], "passed", "", users["manager"])
        outcomes.record_outcome(hire, cps["performance_6m"], "3", "", users["manager"])
    adverse_impact.set_min_hires(job, 4, users["hr"])
    _db.session.commit()
    hr = sign_in(app, users["hr"])
    html = _words(hr, f"/jobs/{job.id}/validity")
    assert "no variation in the score" in html or "every hire has the same outcome" in html
    assert 'class="r"' not in html  # no coefficient is printed
    _words(hr, "/validity")
    _words(hr, "/interviewer-report", users["interviewer_panel"].name)
    # Everyone in one group, every one hired: nothing to compare, said in words.
    admin = _turn_on(app, world)
    for hire in hires:
        adverse_impact.record_self_identification(
            hire.candidate_id, {"sex": "female"}, True, users["hr"]
        )
    _db.session.commit()
    html = _words(admin, f"/adverse-impact?job={job.id}&category=sex")
    hire_stage = html[html.index('data-stage="hire"') :]
    hire_stage = hire_stage[: hire_stage.index("</section>")]
    assert "Only one group is large enough: there is nothing to compare it with." in hire_stage
    assert 'data-group="female"' in hire_stage and "below 4/5" not in hire_stage


def test_adverse_impact_when_nobody_was_selected(app, world):
    users = world.users
    job = _team_job(world, "Nobody hired")
    panel = [users["interviewer_panel"], users["interviewer_submitted"]]
    rejected = [
        scored_application(job, panel, users["hr"], 1 + n % 2, False, f"No {n}") for n in range(10)
    ]
    _db.session.commit()
    admin = _turn_on(app, world)
    for n, application in enumerate(rejected):
        adverse_impact.record_self_identification(
            application.candidate_id, {"sex": "female" if n % 2 else "male"}, True, users["hr"]
        )
    _db.session.commit()
    html = _words(admin, f"/adverse-impact?job={job.id}&category=sex")
    hire_stage = html[html.index('data-stage="hire"') :]
    hire_stage = hire_stage[: hire_stage.index("</section>")]
    assert "Nobody was selected at this stage: no ratio can be computed." in hire_stage
    hr = sign_in(app, users["hr"])
    _words(hr, f"/jobs/{job.id}/validity", "No hires with scores yet")
    _words(hr, f"/jobs/{job.id}/outcomes", "No hired candidates yet")


def test_self_identification_import_refuses_an_email_two_candidates_share(app, world):
    from scorecard.models import Application, Candidate

    _turn_on(app, world)
    own = world.scopes["own"]
    first = world.extra["hires"][0].candidate
    twin = Candidate(name="Twin", email=first.email.upper())
    _db.session.add_all([twin, Application(candidate=twin, job=own.job)])
    _db.session.commit()
    hr = sign_in(app, world.users["hr"])
    text = f"email,candidate,consent,sex\n{first.email},,yes,female\n,{twin.id},yes,male\n"
    body = _self_id_preview(hr, text).get_data(as_text=True)
    assert "Rows: 2. Ready to import: 1. With problems: 1." in body
    assert "Several candidates have this e-mail: use the candidate&#39;s number." in body
    assert "Unknown candidate" not in body
