"""Job setup pages: creating a job (template, copy, blank), the job's page with its settings,
hiring team and red flags, and adding a round; a round's own page is in `rounds`."""

from functools import partial

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import JobMember, JobRole, RedFlag, Role, Round, User
from scorecard.permissions import get_editable_job_or_404, roles_required, visible_jobs
from scorecard.services.errors import DomainError
from scorecard.services.setup import jobs as job_setup
from scorecard.services.setup import red_flags, rounds, team
from scorecard.setup import bp
from scorecard.setup.flow import _confirmed_delete, _done
from scorecard.setup.forms import (
    ActionForm,
    BlankJobForm,
    CopyJobForm,
    JobForm,
    MemberForm,
    RedFlagForm,
    RoundForm,
    apply_error,
    form_values,
)

EDITORS = (Role.ADMIN, Role.HR)


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


# --- adding a round (a round's own pages are in rounds.py) ---------------------------------


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


# --- red flags -----------------------------------------------------------------------------


def _flag_or_404(red_flag_id: int) -> RedFlag:
    flag = db.get_or_404(RedFlag, red_flag_id)
    get_editable_job_or_404(flag.job_id)
    return flag


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
