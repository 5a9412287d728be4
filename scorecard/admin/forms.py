"""Administration forms: users, audit filter, erasure, retention."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from scorecard.labels import ROLE_LABELS
from scorecard.models import Role

PASSWORD_HINT = _l("12 to 128 characters; a common password is refused.")


def role_choices() -> list[tuple[str, object]]:
    return [(r.value, ROLE_LABELS[r]) for r in Role]


class UserCreateForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=128)],
        description=PASSWORD_HINT,
    )
    submit = SubmitField(_l("Create user"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Apply"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=128)],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Reset password"))


class AuditFilterForm(FlaskForm):
    """Read by GET: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = SelectField(_l("Who"), choices=[], validate_choice=False)
    job = SelectField(_l("Job"), choices=[], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


class CandidateSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, e-mail or phone"), validators=[Optional(), Length(max=200)])


class EraseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("For example: the candidate's request of 2 May by e-mail."),
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Erase personal data"))


class RetentionForm(FlaskForm):
    retention_days = IntegerField(
        _l("Erase candidates this many days after their application closed"),
        validators=[Optional(), NumberRange(min=1, max=36500)],
        description=_l("Leave empty to keep candidates until erased by hand."),
    )
    submit = SubmitField(_l("Save"))


class TwoFactorResetForm(FlaskForm):
    confirm = BooleanField(
        _l("The user has lost their authenticator and I checked who they are."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Reset two-factor sign-in"))


class SecurityForm(FlaskForm):
    two_factor_policy = SelectField(
        _l("Two-factor sign-in is required for"),
        choices=[
            ("off", _l("Nobody (each user may turn it on)")),
            ("admins", _l("Admins")),
            ("everyone", _l("Everyone")),
        ],
        description=_l(
            "Applies to password sign-in. Users who sign in through company sign-in follow "
            "their provider's policy."
        ),
    )
    export_interviewers = SelectField(
        _l("A candidate's data export names interviewers"),
        choices=[("role", _l("By role only")), ("names", _l("By name"))],
    )
    submit = SubmitField(_l("Save"))


class ExportForm(FlaskForm):
    language = SelectField(
        _l("Language of the export"),
        choices=[("zh_CN", "中文"), ("en", "English")],
        description=_l("The language the candidate asked in."),
    )
    submit = SubmitField(_l("Download the candidate's data (ZIP)"))
