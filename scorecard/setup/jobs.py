"""Job setup pages: create, settings, team, rounds, criteria, questions, red flags."""

from collections.abc import Callable
from functools import partial

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import (
    Criterion,
    Dimension,
    JobMember,
    JobRole,
    Question,
    RedFlag,
    Role,
    Round,
    ScorecardVersion,
    User,
)
from scorecard.permissions import (
    get_editable_job_or_404,
    get_job_or_404,
    roles_required,
    visible_jobs,
)
from scorecard.services.errors import DomainError
from scorecard.services.setup import criteria, questions, red_flags, rounds, team
from scorecard.services.setup import jobs as job_setup
from scorecard.setup import bp
from scorecard.setup.forms import (
    ActionForm,
    BlankJobForm,
    CopyJobForm,
    CriterionForm,
    JobForm,
    MemberForm,
    QuestionForm,
    RedFlagForm,
    RoundForm,
    apply_error,
    form_values,
)

EDITORS = (Role.ADMIN, Role.HR)


# --- loading with permission ---------------------------------------------------------------


def _round_or_404(round_id: int) -> Round:
    rnd = db.get_or_404(Round, round_id)
    get_editable_job_or_404(rnd.job_id)
    return rnd


def _criterion_or_404(criterion_id: int) -> Criterion:
    crit = db.get_or_404(Criterion, criterion_id)
    get_editable_job_or_404(crit.version.round.job_id)
    return crit


def _question_or_404(question_id: int) -> Question:
    q = db.get_or_404(Question, question_id)
    get_editable_job_or_404(q.version.round.job_id)
    return q


def _flag_or_404(red_flag_id: int) -> RedFlag:
    flag = db.get_or_404(RedFlag, red_flag_id)
    get_editable_job_or_404(flag.job_id)
    return flag


def _stale(expected: object) -> bool:
    """True when a delete form does not name the object it deletes (a stale page: ids of
    deleted rows can be reused on SQLite), so nothing is deleted."""
    if request.form.get("confirm", "") == str(expected):
        return False
    flash(_("This page was out of date: nothing was changed. Please try again."), "error")
    return True


def _done(message: str, endpoint: str, **values):
    """After `handler.run` committed the change: say so and go back to the page."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def _confirmed_delete(
    stamp: object, delete: Callable[[], None], message: str, endpoint: str, **values
):
    """A delete form's flow: valid token, the page names what it deletes, the rule holds.

    Every outcome returns to `endpoint`; a refused delete flashes why and changes nothing.
    """
    if not ActionForm().validate_on_submit():
        abort(400)
    if _stale(stamp):
        return redirect(url_for(endpoint, **values))
    outcome = handler.run(delete)
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for(endpoint, **values))
    return _done(message, endpoint, **values)


# --- creating jobs -------------------------------------------------------------------------


def _copy_form() -> CopyJobForm:
    form = CopyJobForm(prefix="copy")
    from scorecard.i18n import bilingual_text

    form.source_id.choices = [(j.id, bilingual_text(j, "title")) for j in _copyable_jobs()]
    return form


def _copyable_jobs():
    return [j for j in visible_jobs(current_user)]


@bp.route("/jobs/new")
@roles_required(*EDITORS)
def new_job():
    return render_template(
        "setup/new_job.html",
        action=ActionForm(),
        copy_form=_copy_form(),
        blank_form=BlankJobForm(prefix="blank"),
    )


@bp.post("/jobs/new/template")
@roles_required(*EDITORS)
def new_job_from_template():
    if not ActionForm().validate_on_submit():
        abort(400)
    job = handler.run(partial(job_setup.new_job_from_default, current_user)).value
    return _done(_("Job created from the default template."), "setup.job", job_id=job.id)


@bp.post("/jobs/new/copy")
@roles_required(*EDITORS)
def new_job_copy():
    form = _copy_form()
    if form.validate_on_submit():
        source = next((j for j in _copyable_jobs() if j.id == form.source_id.data), None)
        if source is None:
            form.source_id.errors.append(_("Choose a job to copy."))
        else:
            job = handler.run(
                lambda: job_setup.copy_job(
                    source, form_values(form), current_user, with_team=form.with_team.data
                )
            ).value
            return _done(_("Job created as a copy."), "setup.job", job_id=job.id)
    return render_template(
        "setup/new_job.html",
        action=ActionForm(),
        copy_form=form,
        blank_form=BlankJobForm(prefix="blank", formdata=None),
    ), 422


@bp.post("/jobs/new/blank")
@roles_required(*EDITORS)
def new_job_blank():
    form = BlankJobForm(prefix="blank")
    if form.validate_on_submit():
        outcome = handler.run(partial(job_setup.create_blank_job, form_values(form), current_user))
        if outcome.ok:
            job = outcome.value
            return _done(_("Job created."), "setup.job", job_id=job.id)
        apply_error(form, outcome.error)
    return render_template(
        "setup/new_job.html", action=ActionForm(), copy_form=_copy_form(), blank_form=form
    ), 422


# --- the job's setup page ------------------------------------------------------------------


def _member_form(job) -> MemberForm:
    form = MemberForm(prefix="member")
    on_team = {m.user_id for m in job.members}
    users = db.session.scalars(
        sa.select(User).where(User.active.is_(True)).order_by(User.name)
    ).all()
    form.user_id.choices = [(u.id, f"{u.name} <{u.email}>") for u in users if u.id not in on_team]
    return form


def _job_page(job, status: int = 200, **forms):
    forms.setdefault("job_form", JobForm(prefix="job", obj=job, formdata=None))
    forms.setdefault("member_form", _member_form(job))
    forms.setdefault("round_form", RoundForm(prefix="round", formdata=None))
    forms.setdefault("flag_form", RedFlagForm(prefix="flag", formdata=None))
    return render_template(
        "setup/job.html",
        job=job,
        action=ActionForm(),
        in_use={r.id: _round_in_use(r) for r in job.rounds},
        **forms,
    ), status


def _round_in_use(rnd: Round) -> bool:
    version = rnd.current_version
    return version is not None and rounds.version_in_use(version)


@bp.route("/jobs/<int:job_id>", methods=["GET", "POST"])
@login_required
def job(job_id: int):
    job = get_editable_job_or_404(job_id)
    if request.method == "GET":
        return _job_page(job)
    form = JobForm(prefix="job")
    if form.validate_on_submit():
        outcome = handler.run(partial(job_setup.update_job, job, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Job saved."), "setup.job", job_id=job.id)
        apply_error(form, outcome.error)
    return _job_page(job, 422, job_form=form)


@bp.post("/jobs/<int:job_id>/members")
@login_required
def add_member(job_id: int):
    job = get_editable_job_or_404(job_id)
    form = _member_form(job)
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)

        def change():
            if user is None or not user.active:
                raise DomainError("user_id", _("Choose a person."))
            if form.job_role.data not in {r.value for r in JobRole}:
                raise DomainError("job_role", _("Choose a job role."))
            return team.add_member(job, user, JobRole(form.job_role.data), current_user)

        outcome = handler.run(change)
        if outcome.ok:
            return _done(_("Added to the hiring team."), "setup.job", job_id=job.id)
        apply_error(form, outcome.error)
    return _job_page(job, 422, member_form=form)


@bp.post("/members/<int:member_id>/remove")
@login_required
def remove_member(member_id: int):
    member = db.get_or_404(JobMember, member_id)
    job = get_editable_job_or_404(member.job_id)
    return _confirmed_delete(
        member.user_id,
        lambda: team.remove_member(member, current_user),
        _("Removed from the hiring team."),
        "setup.job",
        job_id=job.id,
    )


# --- rounds --------------------------------------------------------------------------------


@bp.post("/jobs/<int:job_id>/rounds")
@login_required
def add_round(job_id: int):
    job = get_editable_job_or_404(job_id)
    form = RoundForm(prefix="round")
    if form.validate_on_submit():
        outcome = handler.run(partial(rounds.add_round, job, form_values(form), current_user))
        if outcome.ok:
            rnd = outcome.value
            return _done(_("Round added."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _job_page(job, 422, round_form=form)


def _round_page(rnd: Round, status: int = 200, form: RoundForm | None = None):
    version = rnd.current_version
    grouped = {d: [] for d in Dimension}
    for crit in version.criteria if version else []:
        grouped[crit.dimension].append(crit)
    return render_template(
        "setup/round.html",
        rnd=rnd,
        job=rnd.job,
        version=version,
        grouped=grouped,
        in_use=version is not None and rounds.version_in_use(version),
        form=form or _round_form(rnd),
        action=ActionForm(),
    ), status


def _round_form(rnd: Round) -> RoundForm:
    form = RoundForm(obj=rnd, formdata=None)
    form.weight.data = _num(rnd.weight)
    return form


def _num(value: float) -> str:
    from scorecard.labels import num

    return num(value, 3)


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@login_required
def round_page(round_id: int):
    rnd = _round_or_404(round_id)
    if request.method == "GET":
        return _round_page(rnd)
    form = RoundForm()
    if form.validate_on_submit():
        outcome = handler.run(lambda: rounds.update_round(rnd, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Round saved."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _round_page(rnd, 422, form)


def _direction() -> int | None:
    """-1 for "up", +1 for "down" (the pressed button's value), None otherwise."""
    return {"up": -1, "down": 1}.get(request.form.get("direction", ""))


@bp.post("/rounds/<int:round_id>/move")
@login_required
def move_round(round_id: int):
    rnd = _round_or_404(round_id)
    step = _direction()
    if not ActionForm().validate_on_submit() or step is None:
        abort(400)
    handler.run(partial(rounds.move_round, rnd, step, current_user))
    return _done(_("Round order saved."), "setup.job", job_id=rnd.job_id)


@bp.post("/rounds/<int:round_id>/delete")
@login_required
def delete_round(round_id: int):
    rnd = _round_or_404(round_id)
    job_id = rnd.job_id
    return _confirmed_delete(
        rnd.key,
        lambda: rounds.delete_round(rnd, current_user),
        _("Round deleted."),
        "setup.job",
        job_id=job_id,
    )


# --- criteria ------------------------------------------------------------------------------


def _criterion_page(rnd: Round, form: CriterionForm, crit: Criterion | None, status: int = 200):
    return render_template(
        "setup/criterion.html",
        rnd=rnd,
        job=rnd.job,
        crit=crit,
        form=form,
        in_use=rounds.version_in_use(rnd.current_version) if rnd.current_version else False,
    ), status


@bp.route("/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@login_required
def new_criterion(round_id: int):
    rnd = _round_or_404(round_id)
    form = CriterionForm()
    if request.method == "GET" and request.args.get("dimension") in {d.value for d in Dimension}:
        form.dimension.data = request.args["dimension"]
    if form.validate_on_submit():
        outcome = handler.run(lambda: criteria.add_criterion(rnd, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Criterion added."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _criterion_page(rnd, form, None, 422 if request.method == "POST" else 200)


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@login_required
def criterion(criterion_id: int):
    crit = _criterion_or_404(criterion_id)
    rnd = crit.version.round
    if crit.version_id != rnd.current_version.id:
        return redirect(url_for("setup.version", version_id=crit.version_id))
    if request.method == "GET":
        form = CriterionForm(obj=crit, formdata=None)
        form.weight.data = _num(crit.weight)
        form.dimension.data = crit.dimension.value
        return _criterion_page(rnd, form, crit)
    form = CriterionForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: criteria.update_criterion(crit, form_values(form), current_user)
        )
        if outcome.ok:
            return _done(_("Criterion saved."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _criterion_page(rnd, form, crit, 422)


@bp.post("/criteria/<int:criterion_id>/move")
@login_required
def move_criterion(criterion_id: int):
    crit = _criterion_or_404(criterion_id)
    step = _direction()
    round_id = crit.version.round_id
    if not ActionForm().validate_on_submit() or step is None:
        abort(400)
    outcome = handler.run(partial(criteria.move_criterion, crit, step, current_user))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("setup.round_page", round_id=round_id))
    return _done(_("Criterion order saved."), "setup.round_page", round_id=round_id)


@bp.post("/criteria/<int:criterion_id>/delete")
@login_required
def delete_criterion(criterion_id: int):
    crit = _criterion_or_404(criterion_id)
    round_id = crit.version.round_id
    return _confirmed_delete(
        crit.key,
        lambda: criteria.delete_criterion(crit, current_user),
        _("Criterion deleted."),
        "setup.round_page",
        round_id=round_id,
    )


# --- questions -----------------------------------------------------------------------------


def _question_form(rnd: Round, **kwargs) -> QuestionForm:
    from scorecard.i18n import bilingual_text

    form = QuestionForm(**kwargs)
    version = rnd.current_version
    form.criterion_key.choices = [("", _("— none —"))] + [
        (c.key, bilingual_text(c, "name")) for c in (version.criteria if version else [])
    ]
    return form


def _question_page(rnd: Round, form: QuestionForm, q: Question | None, status: int = 200):
    return render_template("setup/question.html", rnd=rnd, job=rnd.job, q=q, form=form), status


@bp.route("/rounds/<int:round_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(round_id: int):
    rnd = _round_or_404(round_id)
    form = _question_form(rnd)
    if form.validate_on_submit():
        outcome = handler.run(lambda: questions.add_question(rnd, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Question added."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _question_page(rnd, form, None, 422 if request.method == "POST" else 200)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(question_id: int):
    q = _question_or_404(question_id)
    rnd = q.version.round
    if q.version_id != rnd.current_version.id:
        return redirect(url_for("setup.version", version_id=q.version_id))
    if request.method == "GET":
        form = _question_form(rnd, obj=q, formdata=None)
        form.criterion_key.data = q.criterion.key if q.criterion else ""
        return _question_page(rnd, form, q)
    form = _question_form(rnd)
    if form.validate_on_submit():
        outcome = handler.run(lambda: questions.update_question(q, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Question saved."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _question_page(rnd, form, q, 422)


@bp.post("/questions/<int:question_id>/delete")
@login_required
def delete_question(question_id: int):
    q = _question_or_404(question_id)
    round_id = q.version.round_id
    return _confirmed_delete(
        q.key,
        lambda: questions.delete_question(q, current_user),
        _("Question deleted."),
        "setup.round_page",
        round_id=round_id,
    )


# --- red flags -----------------------------------------------------------------------------


@bp.post("/jobs/<int:job_id>/red-flags")
@login_required
def add_red_flag(job_id: int):
    job = get_editable_job_or_404(job_id)
    form = RedFlagForm(prefix="flag")
    if form.validate_on_submit():
        outcome = handler.run(lambda: red_flags.add_red_flag(job, form_values(form), current_user))
        if outcome.ok:
            return _done(_("Red flag added."), "setup.job", job_id=job.id, _anchor="red-flags")
        apply_error(form, outcome.error)
    return _job_page(job, 422, flag_form=form)


@bp.route("/red-flags/<int:red_flag_id>", methods=["GET", "POST"])
@login_required
def red_flag(red_flag_id: int):
    flag = _flag_or_404(red_flag_id)
    if request.method == "GET":
        form = RedFlagForm(obj=flag, formdata=None)
        return render_template("setup/red_flag.html", flag=flag, job=flag.job, form=form)
    form = RedFlagForm()
    if form.validate_on_submit():
        outcome = handler.run(
            lambda: red_flags.update_red_flag(flag, form_values(form), current_user)
        )
        if outcome.ok:
            return _done(_("Red flag saved."), "setup.job", job_id=flag.job_id)
        apply_error(form, outcome.error)
    return render_template("setup/red_flag.html", flag=flag, job=flag.job, form=form), 422


@bp.post("/red-flags/<int:red_flag_id>/delete")
@login_required
def delete_red_flag(red_flag_id: int):
    flag = _flag_or_404(red_flag_id)
    job_id = flag.job_id
    return _confirmed_delete(
        flag.key,
        lambda: red_flags.delete_red_flag(flag, current_user),
        _("Red flag deleted."),
        "setup.job",
        job_id=job_id,
    )


# --- versions (read-only, for the whole hiring team) ---------------------------------------


@bp.route("/versions/<int:version_id>")
@login_required
def version(version_id: int):
    v = db.get_or_404(ScorecardVersion, version_id)
    job = get_job_or_404(v.round.job_id)
    return render_template("setup/version.html", v=v, rnd=v.round, job=job)
