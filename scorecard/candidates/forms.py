"""Candidate forms: one candidate, and the CSV upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length


class CandidateForm(FlaskForm):
    job_id = SelectField(_l("Job"), coerce=int, validate_choice=False)
    name = StringField(_l("Name"), validators=[Length(max=200)])
    email = StringField(_l("E-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    source = StringField(_l("Source"), validators=[Length(max=120)])
    note = TextAreaField(_l("Résumé note"), validators=[Length(max=5000)])


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"))
    default_job = SelectField(
        _l("Job for rows without one"),
        coerce=int,
        validate_choice=False,
        description=_l("Used when a row's job column is empty."),
    )


class ImportForm(FlaskForm):
    """The checked file, posted back to import its good rows."""

    text = TextAreaField()
    default_job = HiddenField()
    key = HiddenField()
