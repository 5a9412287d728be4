"""Forms of the hiring-team setup: they check shape; services check the business rules."""

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from scorecard.models import Dimension, JobRole, JobStatus
from scorecard.services.errors import DomainError


def positive_number(_form, field) -> None:
    """A weight: a finite number greater than 0."""
    try:
        value = float(str(field.data or "").strip().replace(",", "."))
    except ValueError:
        raise ValidationError(_l("Enter a number greater than 0.")) from None
    if not math.isfinite(value) or value <= 0:
        raise ValidationError(_l("Enter a number greater than 0."))


def whole_number(low: int, high: int, message):
    """A whole number between `low` and `high`, with one translated message for any problem."""

    def check(_form, field) -> None:
        try:
            value = int(str(field.data or "").strip())
        except ValueError:
            raise ValidationError(message) from None
        if not low <= value <= high:
            raise ValidationError(message)
        field.data = value

    return check


def apply_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a service's DomainError on its field, or above the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(exc.message)
    else:
        form.form_errors.append(exc.message)


def form_values(form: FlaskForm) -> dict:
    """The submitted data without the CSRF token."""
    return {k: v for k, v in form.data.items() if k != "csrf_token"}


class ActionForm(FlaskForm):
    """A button that posts: CSRF only."""


class BlankJobForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])


class CopyJobForm(FlaskForm):
    source_id = SelectField(_l("Copy the setup of"), coerce=int, validate_choice=False)
    title_zh = StringField(_l("New title (Chinese)"), validators=[Length(max=200)])
    title_en = StringField(_l("New title (English)"), validators=[Length(max=200)])
    with_team = BooleanField(_l("Also copy the hiring team"))


class JobForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    status = SelectField(
        _l("Status"),
        choices=[(JobStatus.OPEN.value, _l("Open")), (JobStatus.CLOSED.value, _l("Closed"))],
        validate_choice=False,
    )
    overdue_hours = StringField(
        _l("Feedback is overdue after (hours)"),
        default="24",
        validators=[whole_number(1, 720, _l("Enter a whole number of hours from 1 to 720."))],
        description=_l("Hours after an interview ends without a submitted scorecard."),
        render_kw={"inputmode": "numeric"},
    )


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int, validate_choice=False)
    job_role = SelectField(
        _l("Job role"),
        choices=[
            (JobRole.RECRUITER.value, _l("Recruiter")),
            (JobRole.HIRING_MANAGER.value, _l("Hiring manager")),
            (JobRole.INTERVIEWER.value, _l("Interviewer")),
        ],
        validate_choice=False,
    )


class RoundForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    focus_zh = TextAreaField(_l("Focus (Chinese)"), validators=[Length(max=5000)])
    focus_en = TextAreaField(_l("Focus (English)"), validators=[Length(max=5000)])
    weight = StringField(_l("Weight"), default="1", validators=[positive_number])


DIMENSION_CHOICES = [
    (Dimension.TECHNICAL.value, _l("Technical depth")),
    (Dimension.BUSINESS.value, _l("Business understanding")),
    (Dimension.ATTITUDE.value, _l("Attitude")),
    (Dimension.ETIQUETTE.value, _l("Etiquette")),
]


class CriterionForm(FlaskForm):
    dimension = SelectField(_l("Dimension"), choices=DIMENSION_CHOICES, validate_choice=False)
    name_zh = StringField(_l("Name (Chinese)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    key = StringField(
        _l("Key"),
        validators=[Optional(), Length(max=40)],
        description=_l("Short identifier used in exports; made from the English name if empty."),
    )
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    weight = StringField(_l("Weight"), default="1", validators=[positive_number])
    must_have = BooleanField(_l("Must-have"))
    veto_eligible = BooleanField(_l("Veto-eligible"))
    anchor1_zh = TextAreaField(_l("1 · Strong no (Chinese)"), validators=[Length(max=5000)])
    anchor1_en = TextAreaField(_l("1 · Strong no (English)"), validators=[Length(max=5000)])
    anchor2_zh = TextAreaField(_l("2 · No (Chinese)"), validators=[Length(max=5000)])
    anchor2_en = TextAreaField(_l("2 · No (English)"), validators=[Length(max=5000)])
    anchor3_zh = TextAreaField(_l("3 · Yes (Chinese)"), validators=[Length(max=5000)])
    anchor3_en = TextAreaField(_l("3 · Yes (English)"), validators=[Length(max=5000)])
    anchor4_zh = TextAreaField(_l("4 · Strong yes (Chinese)"), validators=[Length(max=5000)])
    anchor4_en = TextAreaField(_l("4 · Strong yes (English)"), validators=[Length(max=5000)])


class QuestionForm(FlaskForm):
    text_zh = TextAreaField(_l("Question (Chinese)"), validators=[Length(max=5000)])
    text_en = TextAreaField(_l("Question (English)"), validators=[Length(max=5000)])
    guidance_zh = TextAreaField(
        _l("What a good answer shows (Chinese)"), validators=[Length(max=5000)]
    )
    guidance_en = TextAreaField(
        _l("What a good answer shows (English)"), validators=[Length(max=5000)]
    )
    criterion_key = SelectField(_l("Criterion"), validate_choice=False)
    star = BooleanField(_l("Ask for a STAR answer (situation, task, action, result)"))


class RedFlagForm(FlaskForm):
    label_zh = StringField(_l("Name (Chinese)"), validators=[Length(max=200)])
    label_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InterviewForm(FlaskForm):
    application_id = SelectField(_l("Candidate"), coerce=int, validate_choice=False)
    round_id = SelectField(_l("Round"), coerce=int, validate_choice=False)
    starts_at = StringField(
        _l("Date and time"),
        validators=[InputRequired(message=_l("Enter the date and time."))],
        render_kw={"type": "datetime-local"},
    )
    duration_minutes = StringField(
        _l("Duration (minutes)"),
        default="60",
        validators=[whole_number(5, 600, _l("Enter a duration from 5 to 600 minutes."))],
        render_kw={"inputmode": "numeric"},
    )
    location = StringField(_l("Location"), validators=[Length(max=300)])
    video_link = StringField(_l("Video link"), validators=[Length(max=500)])
    panel = MultiCheckboxField(_l("Panel"), coerce=int, validate_choice=False)
