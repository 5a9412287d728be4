"""Forms of the outcomes and analytics pages (shape only; the services check the rules)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class OutcomeForm(FlaskForm):
    application_id = HiddenField()
    checkpoint_id = HiddenField()
    result = SelectField(_l("Result"), validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class CheckpointForm(FlaskForm):
    key = StringField(_l("Key"), validators=[InputRequired(), Length(max=40)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            ("probation", _l("Passed / not passed / left early")),
            ("rating", _l("Performance rating 1–4")),
        ],
    )
    name_zh = StringField(_l("Name (Chinese)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    months = IntegerField(
        _l("Months after the start"),
        default=6,
        validators=[InputRequired(), NumberRange(min=0, max=120)],
    )


class RemoveCheckpointForm(FlaskForm):
    checkpoint_id = HiddenField()


class ThresholdForm(FlaskForm):
    min_hires = IntegerField(
        _l("Hires with an outcome needed before a figure is shown"),
        validators=[InputRequired(), NumberRange(min=4, max=10000)],
    )


class ImportForm(FlaskForm):
    """The checked file, posted back to record its good rows."""

    text = TextAreaField()
    default_job = HiddenField()


class AdverseSettingsForm(FlaskForm):
    scope = SelectField(_l("Turn on for"), coerce=int, validate_choice=False)
    enabled = BooleanField(_l("Adverse-impact report on"))
    purpose = TextAreaField(
        _l("Purpose (shown to HR where self-identification is entered)"),
        validators=[Length(max=2000)],
    )
    categories = TextAreaField(
        _l("Categories (installation only): one line each, 'key: value, value'"),
        validators=[Optional(), Length(max=4000)],
    )


class GrantForm(FlaskForm):
    user_id = SelectField(_l("User"), coerce=int, validate_choice=False)
    granted = HiddenField()


class SelfIdentificationForm(FlaskForm):
    consent = BooleanField(_l("The candidate agreed to give this information voluntarily"))


class SelfIdUploadForm(FlaskForm):
    file = FileField(_l("CSV file"))


class SelfIdImportForm(FlaskForm):
    """The checked file, sealed (encrypted), posted back to store its good rows."""

    sealed = HiddenField()
