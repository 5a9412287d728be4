"""A candidate's data on request (GDPR Art. 15, PIPL Art. 45): the export holds everything."""

import io
import json
import zipfile

import sqlalchemy as sa

from scorecard.models import ApplicationStatus, AuditEvent, Outcome, ScorecardStatus
from scorecard.services import outcomes as outcome_service
from scorecard.services import site_settings
from tests.conftest import csrf_from
from tests.web.test_privacy_erasure import PERSONAL_KINDS, world  # noqa: F401 - the fixture
from tests.web.trust_figures import report
from tests.web.trust_world import marker, sign_in

# Where each kind of the candidate's data must appear in the archive.
SECTION_MARKERS = {
    "candidate.json": ("name", "email", "source", "resume"),
    "scorecards.json": ("note", "takeaway", "situation", "task", "action", "result"),
    "decisions.json": ("rationale",),
    "outcomes.json": ("outcome",),
    "audit.json": ("name", "takeaway"),
    "summary.html": PERSONAL_KINDS,
}


def _export(app, world, language="en"):  # noqa: F811
    own = world.scopes["own"]
    admin = sign_in(app, world.users["admin"])
    page = admin.get(f"/admin/candidates/{own.candidate.id}")
    assert page.status_code == 200 and "Download the candidate" in page.get_data(True)
    return admin, admin.post(
        f"/admin/candidates/{own.candidate.id}/export",
        data={"language": language, "csrf_token": csrf_from(page.get_data(as_text=True))},
    )


def _has(text: str, kind: str, scope: str) -> bool:
    needle = marker(kind, scope)
    return needle in text or needle.lower() in text


def test_the_export_holds_every_section_and_nothing_of_others(app, client, db, world, request):  # noqa: F811
    own = world.scopes["own"]
    own.application.status = ApplicationStatus.HIRED
    (checkpoint, *_rest) = outcome_service.ensure_checkpoints(own.job)
    db.session.add(
        Outcome(
            application_id=own.application.id,
            checkpoint_id=checkpoint.id,
            rating=3,
            note=marker("outcome", "own"),
            recorded_by_id=world.users["manager"].id,
        )
    )
    db.session.commit()
    _, response = _export(app, world)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert names == {
        "manifest.json",
        "candidate.json",
        "applications.json",
        "interviews.json",
        "scorecards.json",
        "decisions.json",
        "outcomes.json",
        "audit.json",
        "summary.html",
    }
    files = {n: archive.read(n).decode() for n in names}
    for name in names - {"summary.html"}:
        json.loads(files[name])  # machine-readable
    found = checked = 0
    for name, kinds in SECTION_MARKERS.items():
        for kind in kinds:
            checked += 1
            found += _has(files[name], kind, "own")
            assert _has(files[name], kind, "own"), f"{kind} missing from {name}"
    everything = "\n".join(files.values())
    leaked = [k for k in PERSONAL_KINDS if _has(everything, k, "other")]
    assert leaked == []  # nothing about the other job's candidate
    apps = json.loads(files["applications.json"])
    assert [a["id"] for a in apps] == [own.application.id] and apps[0]["job"] == "Own job"
    interviews = json.loads(files["interviews.json"])
    assert [i["id"] for i in interviews] == [own.interview.id]
    cards = json.loads(files["scorecards.json"])
    statuses = sorted(c["status"] for c in cards)
    assert statuses == sorted([ScorecardStatus.DRAFT.value, ScorecardStatus.SUBMITTED.value])
    # Interviewers by role only (the default): no staff name or e-mail anywhere.
    for user in world.users.values():
        if user.role.value != "admin":
            assert user.name not in everything and user.email not in everything, user.email
    assert "Interviewer 1" in files["scorecards.json"]
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidate.export")
    ).all()
    assert event.actor_id == world.users["admin"].id and event.object_id == own.candidate.id
    assert marker("name", "own") not in json.dumps(event.after)  # the record holds no data
    report(
        request.config,
        "export",
        f"Export: {found} of {checked} (section, marker) pairs present; "
        f"{len(leaked)} of {len(PERSONAL_KINDS)} other candidate's marker kinds leaked",
    )


def test_the_export_is_in_the_chosen_language_and_names_as_the_setting_allows(
    app,
    client,
    db,
    world,  # noqa: F811
):
    site_settings.set_value(site_settings.EXPORT_INTERVIEWERS, "names", world.users["admin"])
    db.session.commit()
    _, response = _export(app, world, language="zh_CN")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    summary = archive.read("summary.html").decode()
    assert '<html lang="zh-CN">' in summary and "个人数据" in summary
    cards = archive.read("scorecards.json").decode()
    assert "Pete Peer" in cards  # by name now


def test_an_admin_blind_on_the_panel_is_refused(app, client, db, world):  # noqa: F811
    own = world.scopes["own"]
    own.draft_card.interviewer_id = world.users["admin"].id  # the admin's own draft
    db.session.commit()
    admin, response = _export(app, world)
    assert response.status_code == 400
    assert "not submitted yet" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "candidate.export")
        )
        == 0
    )


def test_a_bad_language_changes_nothing(app, client, db, world):  # noqa: F811
    _, response = _export(app, world, language="fr")
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(True)
