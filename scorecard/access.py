"""Who may do what, as one table: endpoint → rule (reliability.md R1).

Each rule says, per global role, under which condition a signed-in user may use the
endpoint; everyone else gets a 404 (a resource one may not see is never confirmed to exist).
Anonymous visitors are sent to sign in (401 for JSON) unless the endpoint is public.

Conditions, about the job / interview / scorecard the URL points into:

- ``all``: always, whatever the job (pages without a job, and admins everywhere);
- ``member``: on the job's hiring team;
- ``recruiter`` / ``hiring_manager``: on the team with that job role;
- ``panel``: on the interview's panel;
- ``submitted``: on the panel with one's own scorecard submitted (blind until submitted);
- ``owner``: the author of the scorecard (or the object belongs to the user);
- ``none``: never.

Alternatives are written ``"member|panel"``. A key ``"endpoint:POST"`` overrides the rule of
``"endpoint"`` for that method. tests/web/test_permission_matrix.py walks every route of
``app.url_map`` × every actor × {own job, other job} and fails for a route without a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.models import JobRole, Role

ALLOW = "allow"
HIDE = "hide"  # 404
LOGIN = "login"  # redirect to sign-in, or 401 for JSON

CONDITIONS = frozenset(
    {
        "all",
        "member",
        "recruiter",
        "hiring_manager",
        "panel",
        "submitted",
        "owner",
        "compliance",
        "none",
    }
)


@dataclass(frozen=True)
class Rule:
    """Per-role conditions for one endpoint; `public` lets anonymous visitors in."""

    admin: str = "none"
    hr: str = "none"
    manager: str = "none"
    interviewer: str = "none"
    public: bool = False
    json: bool = False  # answers JSON: anonymous gets 401 instead of a redirect
    # The JSON API: only a personal bearer token signs in (cookies are ignored, so a
    # signed-in browser without a token gets 401 too); the matrix calls it with tokens.
    bearer: bool = False

    def condition(self, role: Role) -> str:
        """The condition written for a global role."""
        return str(getattr(self, role.value))


@dataclass(frozen=True)
class Facts:
    """What is true of a user towards the objects a URL points into."""

    role: Role | None  # None: not signed in
    member: bool = False
    job_role: JobRole | None = None
    panel: bool = False
    submitted: bool = False
    owner: bool = False
    compliance: bool = False  # holds the compliance permission (adverse-impact report)


def _holds(condition: str, facts: Facts) -> bool:
    if condition not in CONDITIONS:
        raise ValueError(f"unknown access condition {condition!r}")
    return {
        "all": True,
        "member": facts.member,
        "recruiter": facts.member and facts.job_role == JobRole.RECRUITER,
        "hiring_manager": facts.member and facts.job_role == JobRole.HIRING_MANAGER,
        "panel": facts.panel,
        "submitted": facts.panel and facts.submitted,
        "owner": facts.owner,
        "compliance": facts.compliance,
        "none": False,
    }[condition]


def expected(rule: Rule, facts: Facts) -> str:
    """ALLOW, HIDE (404) or LOGIN for a user described by `facts`."""
    if rule.public:
        return ALLOW
    if facts.role is None:
        return LOGIN
    return ALLOW if any(_holds(c, facts) for c in rule.condition(facts.role).split("|")) else HIDE


def rule_for(endpoint: str, method: str = "GET") -> Rule | None:
    """The rule for an endpoint and method, or None when the table has no entry."""
    return ACCESS.get(f"{endpoint}:{method}") or ACCESS.get(endpoint)


# Short-hands for the common shapes.
EVERYONE = Rule(admin="all", hr="all", manager="all", interviewer="all")
PUBLIC = Rule(public=True)
ADMIN_ONLY = Rule(admin="all")
STAFF = Rule(admin="all", hr="all", manager="all")  # not interviewers
TEAM = Rule(admin="all", hr="member", manager="member", interviewer="member")
OWN_CARD_ROLES = {"admin": "owner", "hr": "owner", "manager": "owner", "interviewer": "owner"}
OWN_CARD = Rule(**OWN_CARD_ROLES)
REVIEWERS = Rule(admin="all", hr="recruiter|hiring_manager", manager="recruiter|hiring_manager")
# The same shapes as keyword sets, for rules that add flags (json, bearer).
EVERYONE_ROLES = {"admin": "all", "hr": "all", "manager": "all", "interviewer": "all"}
TEAM_ROLES = {"admin": "all", "hr": "member", "manager": "member", "interviewer": "member"}
PANEL_OR_STAFF_ROLES = {"admin": "all", "hr": "member", "manager": "member", "interviewer": "panel"}
REVIEWER_ROLES = {
    "admin": "all",
    "hr": "recruiter|hiring_manager",
    "manager": "recruiter|hiring_manager",
}


ACCESS: dict[str, Rule] = {
    "static": PUBLIC,
    # auth: signing in is public; everything else needs a session
    "auth.login": PUBLIC,
    "auth.logout": EVERYONE,
    "auth.set_language": PUBLIC,
    "auth.settings": EVERYONE,  # one's own account only: no id in the URL
    # Two-factor sign-in: the code step belongs to a half-finished sign-in (public; the
    # view answers only for the browser whose password was right); set-up is one's own.
    "auth.two_factor_login": PUBLIC,
    "auth.two_factor_setup": EVERYONE,
    "auth.recovery_codes": EVERYONE,
    # Password reset by e-mail: for visitors who cannot sign in.
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    # company sign-in (scorecard/sso): signing in is public, the settings page is the admin's
    "sso.oidc_login": PUBLIC,
    "sso.oidc_callback": PUBLIC,
    "sso.directory_login": PUBLIC,
    "sso.link": PUBLIC,
    "sso.admin": ADMIN_ONLY,
    "sso.mapping_add": ADMIN_ONLY,
    "sso.mapping_delete": ADMIN_ONLY,
    "sso.identity_unlink": ADMIN_ONLY,
    "sso.identity_link": ADMIN_ONLY,
    "sso.check": ADMIN_ONLY,
    # main
    "main.index": PUBLIC,  # sends visitors to sign in, users to their landing page
    "main.favicon": PUBLIC,
    "main.my_interviews": EVERYONE,
    "main.jobs": EVERYONE,
    "main.job_detail": TEAM,
    "main.candidates": STAFF,
    # The panel sees the interview; the hiring team (but not a team interviewer off the
    # panel) sees it too.
    "main.interview": Rule(admin="all", hr="member", manager="member", interviewer="panel"),
    # admin: users, audit log, privacy
    "admin.users": ADMIN_ONLY,
    "admin.user_new": ADMIN_ONLY,
    "admin.user_detail": ADMIN_ONLY,
    "admin.user_role": ADMIN_ONLY,
    "admin.user_active": ADMIN_ONLY,
    "admin.user_password": ADMIN_ONLY,
    "admin.user_two_factor_reset": ADMIN_ONLY,
    "admin.security": ADMIN_ONLY,
    "admin.candidate_export": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    "admin.candidates": ADMIN_ONLY,
    "admin.candidate_detail": ADMIN_ONLY,
    "admin.candidate_erase": ADMIN_ONLY,
    "admin.retention": ADMIN_ONLY,
    "admin.job_retention": ADMIN_ONLY,
    # operations (scorecard/ops/): probes for load balancers are public and say nothing but
    # "ok" / "ready"; /metrics checks its own token or the peer's network (METRICS_TOKEN,
    # METRICS_ALLOW) and answers 404 otherwise, so no session is involved.
    "ops.healthz": PUBLIC,
    "ops.readyz": PUBLIC,
    "ops.metrics": PUBLIC,
    "ops.jobs": ADMIN_ONLY,
    # The interview kit and its JSON: one's own scorecard only, whatever one's role (an admin
    # or the hiring manager reads others' scorecards in the reports, never in the kit).
    "interviews.kit": OWN_CARD,
    "interviews.state": Rule(**OWN_CARD_ROLES, json=True),
    "interviews.save": Rule(**OWN_CARD_ROLES, json=True),
    "interviews.submit": Rule(**OWN_CARD_ROLES, json=True),
    "interviews.edit": Rule(**OWN_CARD_ROLES, json=True),
    "interviews.ping": Rule(admin="all", hr="all", manager="all", interviewer="all", json=True),
    # Scores and recommendations: the job's recruiters and hiring managers, and admins.
    "reports.job_recommendations": REVIEWERS,
    "reports.application": REVIEWERS,
    "reports.calibration": REVIEWERS,
    "reports.policy": Rule(admin="all", hr="member"),  # HR on the team edits the policy
    # setup and candidates (hiring-team setup): HR edits the jobs it is on, admins every job;
    # managers and interviewers read the setup on main.job_detail and setup.version only.
    "setup.new_job": Rule(admin="all", hr="all"),
    "setup.new_job_from_template": Rule(admin="all", hr="all"),
    "setup.new_job_copy": Rule(admin="all", hr="all"),
    "setup.new_job_blank": Rule(admin="all", hr="all"),
    "setup.job": Rule(admin="all", hr="member"),
    "setup.add_member": Rule(admin="all", hr="member"),
    "setup.remove_member": Rule(admin="all", hr="member"),
    "setup.add_round": Rule(admin="all", hr="member"),
    "setup.round_page": Rule(admin="all", hr="member"),
    "setup.move_round": Rule(admin="all", hr="member"),
    "setup.delete_round": Rule(admin="all", hr="member"),
    "setup.new_criterion": Rule(admin="all", hr="member"),
    "setup.criterion": Rule(admin="all", hr="member"),
    "setup.move_criterion": Rule(admin="all", hr="member"),
    "setup.delete_criterion": Rule(admin="all", hr="member"),
    "setup.new_question": Rule(admin="all", hr="member"),
    "setup.question": Rule(admin="all", hr="member"),
    "setup.delete_question": Rule(admin="all", hr="member"),
    "setup.add_red_flag": Rule(admin="all", hr="member"),
    "setup.red_flag": Rule(admin="all", hr="member"),
    "setup.delete_red_flag": Rule(admin="all", hr="member"),
    "setup.version": TEAM,
    "setup.interviews": Rule(admin="all", hr="member"),
    "setup.new_interview": Rule(admin="all", hr="member"),
    "setup.edit_interview": Rule(admin="all", hr="member"),
    "setup.cancel_interview": Rule(admin="all", hr="member"),
    "setup.overdue": Rule(admin="all", hr="all"),  # lists only the jobs one may edit
    "setup.remind": Rule(admin="all", hr="member"),
    "candidates.new": Rule(admin="all", hr="all"),  # only jobs one may edit are offered
    "candidates.import_page": Rule(admin="all", hr="all"),
    "candidates.import_preview": Rule(admin="all", hr="all"),
    "candidates.import_run": Rule(admin="all", hr="all"),
    # compare and summaries (compare helper): the matrix, side by side, exports, round and job
    # summaries are for reviewers. Decisions are posted by reviewers too, but the decision
    # service refuses anyone but the hiring manager or an admin with a message (no 404:
    # HR sees the page and the decisions).
    "compare.matrix": REVIEWERS,
    "compare.side_by_side": REVIEWERS,
    "compare.matrix_csv": REVIEWERS,
    "compare.matrix_xlsx": REVIEWERS,
    "compare.scorecards_csv": REVIEWERS,
    "compare.scorecards_xlsx": REVIEWERS,
    "summaries.round_summary": REVIEWERS,
    "summaries.hire_decision": REVIEWERS,
    "summaries.job_summary": REVIEWERS,
    # The JSON API (/api/v1, scorecard/api/): the same rules through bearer tokens. Lists
    # answer 200 with only what the caller may see; an id outside that is a 404.
    "api.openapi_document": PUBLIC,
    "api.docs_page": PUBLIC,
    "api.me": Rule(**EVERYONE_ROLES, json=True, bearer=True),
    "api.list_jobs": Rule(**EVERYONE_ROLES, json=True, bearer=True),
    "api.get_job": Rule(**TEAM_ROLES, json=True, bearer=True),
    "api.list_applications": Rule(**TEAM_ROLES, json=True, bearer=True),
    "api.list_interviews": Rule(**TEAM_ROLES, json=True, bearer=True),
    "api.get_application": Rule(**PANEL_OR_STAFF_ROLES, json=True, bearer=True),
    "api.get_candidate": Rule(**PANEL_OR_STAFF_ROLES, json=True, bearer=True),
    "api.get_interview": Rule(**PANEL_OR_STAFF_ROLES, json=True, bearer=True),
    "api.interview_scorecards": Rule(**PANEL_OR_STAFF_ROLES, json=True, bearer=True),
    "api.application_scorecards": Rule(**PANEL_OR_STAFF_ROLES, json=True, bearer=True),
    "api.list_scorecards": Rule(**EVERYONE_ROLES, json=True, bearer=True),
    # scorecard_id is the panel interviewer's draft: only its author may see or change it.
    "api.get_scorecard": Rule(**OWN_CARD_ROLES, json=True, bearer=True),
    "api.autosave": Rule(**OWN_CARD_ROLES, json=True, bearer=True),
    "api.submit": Rule(**OWN_CARD_ROLES, json=True, bearer=True),
    "api.edit": Rule(**OWN_CARD_ROLES, json=True, bearer=True),
    "api.get_recommendation": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.get_round_recommendation": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.list_recommendations": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.list_application_decisions": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.list_job_decisions": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    # Reviewers reach it; the decision service records only the hiring manager's or an
    # admin's (others get a 422 with the service's message, as the summary page shows it).
    "api.decide_round": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.decide_hire": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    "api.get_calibration": Rule(**REVIEWER_ROLES, json=True, bearer=True),
    # Settings → API tokens: one's own tokens only (no id in the URL; revoke checks owner).
    "api_tokens.tokens": EVERYONE,
    "api_tokens.revoke": EVERYONE,
    # Outcomes, validity, interviewer report, adverse impact (scorecard/analytics, issue 14).
    # Outcomes are read by the job's reviewers, recorded by its hiring manager (the view
    # answers 404 to any other POST) and imported by HR; never seen by interviewers.
    "analytics.outcomes": REVIEWERS,
    "analytics.outcomes:POST": Rule(admin="all", manager="hiring_manager"),
    "analytics.outcome_settings": Rule(admin="all", hr="member"),
    "analytics.import_page": Rule(admin="all", hr="all"),  # only jobs one may edit
    "analytics.import_preview": Rule(admin="all", hr="all"),
    "analytics.import_run": Rule(admin="all", hr="all"),
    "analytics.validity": REVIEWERS,
    "analytics.validity_all": STAFF,  # only the jobs one reviews
    "analytics.interviewers": EVERYONE,  # HR and admins see everyone, others themselves
    # Adverse impact: settings are the admin's; the report is for admins and holders of the
    # compliance permission; HR on the candidate's team enters self-identification (the
    # page never shows an answer back).
    "analytics.adverse_settings": ADMIN_ONLY,
    "analytics.adverse_report": Rule(
        admin="all", hr="compliance", manager="compliance", interviewer="compliance"
    ),
    "analytics.self_identification": Rule(admin="all", hr="member"),
    # The CSV import of self-identification: only candidates of the teams one is on, and only
    # while adverse impact is on (the service picks them).
    "analytics.self_id_import": Rule(admin="all", hr="all"),
    "analytics.self_id_preview": Rule(admin="all", hr="all"),
    "analytics.self_id_run": Rule(admin="all", hr="all"),
    # Settings → Notifications: one's own switches and calendar feed (no id in the URL). The
    # feed is public: its secret address is the key (calendar apps cannot sign in); an unknown
    # or revoked address answers 410.
    "notify.settings": EVERYONE,
    "notify.create_feed": EVERYONE,
    "notify.revoke_feed": EVERYONE,
    "notify.feed": PUBLIC,
    # Admin → Webhooks: endpoints, their secrets and delivery logs are for admins only.
    "webhooks.endpoints": ADMIN_ONLY,
    "webhooks.endpoint": ADMIN_ONLY,
    "webhooks.rotate_secret": ADMIN_ONLY,
    "webhooks.delete": ADMIN_ONLY,
    "webhooks.resend": ADMIN_ONLY,
}
