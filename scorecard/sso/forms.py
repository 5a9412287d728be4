"""Forms of company sign-in: directory password, linking, and the admin's group mappings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from scorecard.labels import ROLE_LABELS


def no_control_characters(_form, field) -> None:
    """Refuse NUL and other control characters (PostgreSQL refuses NUL in text, too)."""
    if any(ord(ch) < 32 for ch in field.data or ""):
        raise ValidationError(_l("Remove the control characters from this field."))


class DirectoryLoginForm(FlaskForm):
    # Own ids: the page also holds the local sign-in form (labels must find their own input).
    username = StringField(
        _l("Company user name"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
        id="dir-username",
    )
    password = PasswordField(
        _l("Company password"), validators=[DataRequired(), Length(max=256)], id="dir-password"
    )
    next = HiddenField(id="dir-next")
    submit = SubmitField(_l("Sign in with the company directory"), id="dir-submit")


class LinkForm(FlaskForm):
    password = PasswordField(
        _l("Your Scorecard password"), validators=[DataRequired(), Length(max=128)]
    )
    submit = SubmitField(_l("Link and sign in"))


def _source_choices():
    return [("ldap", _l("Directory (LDAP / Active Directory)")), ("oidc", _l("Single sign-on"))]


class MappingForm(FlaskForm):
    source = SelectField(_l("Where the group comes from"), choices=_source_choices)
    group = StringField(
        _l("Group"),
        validators=[DataRequired(), Length(max=512), no_control_characters],
        description=_l(
            "The group's name as the provider sends it, or a directory group's DN or cn."
        ),
    )
    role = SelectField(_l("Role in Scorecard"))
    submit = SubmitField(_l("Map group"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(role.value, label) for role, label in ROLE_LABELS.items()]


class IdForm(FlaskForm):
    """A confirmed button acting on one row (delete a mapping, unlink an identity)."""

    item_id = HiddenField(validators=[DataRequired()])


class CheckForm(FlaskForm):
    provider = HiddenField(validators=[DataRequired()])


class AdminLinkForm(FlaskForm):
    email = EmailField(
        _l("Scorecard user's e-mail"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
    )
    username = StringField(
        _l("Directory user name"),
        validators=[DataRequired(), Length(max=254), no_control_characters],
    )
    submit = SubmitField(_l("Link directory account"))
