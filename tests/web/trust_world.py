"""A small, complete world for the trust tests: two jobs, two hiring teams, real ids.

"own" is the job the actors under test belong to; "other" is a job none of them is on.
Every actor signs in with TEST_PASSWORD. The panel of each job's interview has two
interviewers: one with a draft (the actor `interviewer_panel` in the own job) and one who
has submitted (the actor `interviewer_submitted`), whose texts carry marker strings.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    HireDecision,
    Interview,
    JobRole,
    Rating,
    Role,
    RoundDecision,
    RoundDecisionKind,
    Scorecard,
    StarEvidence,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service
from scorecard.services.setup.job_template import create_job_from_template, default_template
from scorecard.services.setup.team import add_member
from tests.conftest import TEST_PASSWORD

# The actors of the permission matrix (reliability.md R1), in the order they are tried.
ACTORS = (
    "anonymous",
    "admin",
    "hr",
    "manager",
    "interviewer_panel",
    "interviewer_off_panel",
    "interviewer_submitted",
)
SCOPES = ("own", "other")


def marker(kind: str, scope: str) -> str:
    """A unique, searchable string that must only appear where its owner's text may."""
    return f"MRK{kind.upper()}{scope.upper()}Q7Z"


@dataclass
class Scope:
    """The ids of one job's objects, for substituting into URLs."""

    job: object
    candidate: Candidate
    application: Application
    interview: Interview
    draft_card: Scorecard  # the panel interviewer's own draft
    submitted_card: Scorecard  # the other panel member's submitted scorecard
    round_decision: RoundDecision | None = None
    webhook: WebhookEndpoint | None = None  # an admin's endpoint; the peer's submit fed it
    hire_decision: HireDecision | None = None


@dataclass
class World:
    users: dict[str, User]
    scopes: dict[str, Scope]
    target: User  # a user the admin pages act on, who is none of the actors
    extra: dict[str, object] = field(default_factory=dict)

    def facts(self, actor: str, scope: str) -> "object":
        """What is true of `actor` towards the objects of `scope` (for scorecard.access)."""
        from scorecard.access import Facts

        if actor == "anonymous":
            return Facts(role=None)
        user = self.users[actor]
        own = scope == "own"
        job_roles = {
            "hr": JobRole.RECRUITER,
            "manager": JobRole.HIRING_MANAGER,
            "interviewer_panel": JobRole.INTERVIEWER,
            "interviewer_off_panel": JobRole.INTERVIEWER,
            "interviewer_submitted": JobRole.INTERVIEWER,
        }
        member = own and actor in job_roles
        return Facts(
            role=user.role,
            member=member,
            job_role=job_roles.get(actor) if member else None,
            panel=own and actor in ("interviewer_panel", "interviewer_submitted"),
            submitted=own and actor == "interviewer_submitted",
            owner=own and actor == "interviewer_panel",
        )


def _user(email: str, role: Role, name: str) -> User:
    user = User(email=email, name=name, role=role)
    user.set_password(TEST_PASSWORD)
    db.session.add(user)
    return user


def _fill(card: Scorecard, texts: bool, tag: str) -> None:
    """Rate every criterion; with `texts`, put marker strings in every free-text field."""
    for crit in card.version.criteria:
        note = f"{marker('note', tag)} {crit.key}" if texts else ""
        db.session.add(
            Rating(scorecard=card, criterion_id=crit.id, value=4 if texts else 3, note=note)
        )
    card.overall = 4 if texts else 3
    card.takeaways = marker("takeaway", tag) if texts else ""
    if texts:
        for q in card.version.questions:
            if q.star:
                db.session.add(
                    StarEvidence(
                        scorecard=card,
                        question_id=q.id,
                        situation=marker("situation", tag),
                        task=marker("task", tag),
                        action=marker("action", tag),
                        result=marker("result", tag),
                    )
                )
    db.session.flush()
    db.session.refresh(card)


@dataclass
class People:
    """The users of a world: the actors, the other job's team, and the admin pages' target."""

    users: dict[str, User]
    strangers: dict[str, User]
    target: User


def build_people() -> People:
    """Create every user of the world (flushed, not committed)."""
    users = {
        "admin": _user("admin@trust.test", Role.ADMIN, "Ada Admin"),
        "hr": _user("hr@trust.test", Role.HR, "Hana HR"),
        "manager": _user("manager@trust.test", Role.MANAGER, "Max Manager"),
        "interviewer_panel": _user("panel@trust.test", Role.INTERVIEWER, "Pia Panel"),
        "interviewer_off_panel": _user("off@trust.test", Role.INTERVIEWER, "Otto Off"),
        "interviewer_submitted": _user("peer@trust.test", Role.INTERVIEWER, "Pete Peer"),
    }
    strangers = {
        "hr": _user("other-hr@trust.test", Role.HR, "Other HR"),
        "manager": _user("other-manager@trust.test", Role.MANAGER, "Other Manager"),
        "iv1": _user("other-iv1@trust.test", Role.INTERVIEWER, "Other Iv1"),
        "iv2": _user("other-iv2@trust.test", Role.INTERVIEWER, "Other Iv2"),
    }
    target = _user("target@trust.test", Role.INTERVIEWER, "Tara Target")
    db.session.flush()
    return People(users, strangers, target)


def build_world(decisions: bool = False, people: People | None = None) -> World:
    """Create both jobs and everyone on them (or reuse `people`); commits."""
    people = people or build_people()
    users, strangers = people.users, people.strangers
    people.target.role = Role.INTERVIEWER
    people.target.active = True
    scopes: dict[str, Scope] = {}
    teams = {
        "own": (
            users["hr"],
            users["manager"],
            [users["interviewer_panel"], users["interviewer_submitted"]],
            [users["interviewer_off_panel"]],
        ),
        "other": (strangers["hr"], strangers["manager"], [strangers["iv1"], strangers["iv2"]], []),
    }
    for scope, (hr, manager, panel, others) in teams.items():
        job = create_job_from_template(default_template(), hr)
        job.title_en = f"{scope.title()} job"
        add_member(job, hr, JobRole.RECRUITER, None)
        add_member(job, manager, JobRole.HIRING_MANAGER, None)
        for person in panel + others:
            add_member(job, person, JobRole.INTERVIEWER, None)
        rnd = next(r for r in job.rounds if any(q.star for q in r.current_version.questions))
        webhook = WebhookEndpoint(
            url=f"https://{scope}.receiver.example.com/hook",
            secret=f"whsec_{scope}",
            events=["scorecard.submitted"],
        )
        db.session.add(webhook)
        cand = Candidate(
            name=f"{scope.title()} Candidate {marker('name', scope)}",
            email=f"{marker('email', scope).lower()}@example.com",
            phone="+86 138 0000 " + ("1111" if scope == "own" else "2222"),
            source=marker("source", scope),
            note=marker("resume", scope),
        )
        application = Application(candidate=cand, job=job, current_round=rnd)
        db.session.add_all([cand, application])
        db.session.flush()
        iv = scheduling.schedule_interview(
            application, rnd, utcnow() - timedelta(hours=2), panel, hr, location="Room 1"
        )
        draft, peer = iv.scorecards
        _fill(draft, texts=False, tag=f"draft{scope}")
        _fill(peer, texts=True, tag=scope)
        card_service.submit(peer, uuid.uuid4().hex, peer.interviewer)
        s = Scope(job, cand, application, iv, draft, peer)
        s.webhook = webhook
        if decisions:
            s.round_decision = RoundDecision(
                application_id=application.id,
                round_id=rnd.id,
                decision=RoundDecisionKind.ADVANCE,
                rationale=marker("rationale", scope),
                decided_by_id=manager.id,
            )
            db.session.add(s.round_decision)
        scopes[scope] = s
    db.session.commit()
    return World(users=users, scopes=scopes, target=people.target)


def url_values(world: World, scope: str) -> dict[str, int | str]:
    """URL argument name → id, for the objects of `scope` (the admin pages' user: target)."""
    s = world.scopes[scope]
    rnd = s.interview.round
    version = rnd.current_version
    crit = version.criteria[0]
    question = version.questions[0]
    values = {
        "job_id": s.job.id,
        "round_id": rnd.id,
        "version_id": version.id,
        "criterion_id": crit.id,
        "question_id": question.id,
        "red_flag_id": s.job.red_flags[0].id if s.job.red_flags else 0,
        "candidate_id": s.candidate.id,
        "application_id": s.application.id,
        "interview_id": s.interview.id,
        "scorecard_id": s.draft_card.id,
        "card_id": s.draft_card.id,
        "member_id": s.job.members[0].id,
        "user_id": world.target.id,
        "token": "no-such-link",  # a secret link (calendar feed) that was never issued
    }
    if s.webhook is not None:
        values["endpoint_id"] = s.webhook.id
        values["delivery_id"] = db.session.scalar(
            sa.select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == s.webhook.id)
        )
    if s.round_decision is not None:
        values["decision_id"] = s.round_decision.id
    return values


def route_urls(app, world: World, scope: str = "own", methods=("GET",)) -> list[tuple[str, str]]:
    """(endpoint, URL) of every route accepting one of `methods`, with the scope's real ids.

    A route whose URL argument has no id here fails loudly, naming the argument.
    """
    from flask import url_for

    values = url_values(world, scope)
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or not set(methods) & set(rule.methods):
                continue
            missing = [a for a in rule.arguments if a not in values]
            assert not missing, (
                f"{rule.endpoint}: no id for URL argument(s) {missing}: add them to "
                "tests/web/trust_world.py url_values()"
            )
            out.append(
                (rule.endpoint, url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
            )
    return sorted(set(out))


def sign_in(app, user: User):
    """A fresh test client signed in as `user` through the real form."""
    from tests.conftest import csrf_from

    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, f"{user.email} could not sign in"
    return client
