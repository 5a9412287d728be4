"""A round's setup pages: the round itself (settings, order, delete), its criteria and
questions, and its scorecard versions (read-only, for the whole hiring team)."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import Criterion, Dimension, Question, Round, ScorecardVersion
from scorecard.permissions import get_editable_job_or_404, get_job_or_404
from scorecard.services.setup import criteria, questions
from scorecard.services.setup import rounds as round_setup
from scorecard.setup import bp
from scorecard.setup.flow import _confirmed_delete, _done
from scorecard.setup.forms import (
    ActionForm,
    CriterionForm,
    QuestionForm,
    RoundForm,
    apply_error,
    form_values,
)

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


def _direction() -> int | None:
    """-1 for "up", +1 for "down" (the pressed button's value), None otherwise."""
    return {"up": -1, "down": 1}.get(request.form.get("direction", ""))


# --- rounds --------------------------------------------------------------------------------


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
        in_use=version is not None and round_setup.version_in_use(version),
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
        outcome = handler.run(
            lambda: round_setup.update_round(rnd, form_values(form), current_user)
        )
        if outcome.ok:
            return _done(_("Round saved."), "setup.round_page", round_id=rnd.id)
        apply_error(form, outcome.error)
    return _round_page(rnd, 422, form)


@bp.post("/rounds/<int:round_id>/move")
@login_required
def move_round(round_id: int):
    rnd = _round_or_404(round_id)
    step = _direction()
    if not ActionForm().validate_on_submit() or step is None:
        abort(400)
    handler.run(partial(round_setup.move_round, rnd, step, current_user))
    return _done(_("Round order saved."), "setup.job", job_id=rnd.job_id)


@bp.post("/rounds/<int:round_id>/delete")
@login_required
def delete_round(round_id: int):
    rnd = _round_or_404(round_id)
    job_id = rnd.job_id
    return _confirmed_delete(
        rnd.key,
        lambda: round_setup.delete_round(rnd, current_user),
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
        in_use=round_setup.version_in_use(rnd.current_version) if rnd.current_version else False,
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


# --- versions (read-only, for the whole hiring team) ---------------------------------------


@bp.route("/versions/<int:version_id>")
@login_required
def version(version_id: int):
    v = db.get_or_404(ScorecardVersion, version_id)
    job = get_job_or_404(v.round.job_id)
    return render_template("setup/version.html", v=v, rnd=v.round, job=job)
