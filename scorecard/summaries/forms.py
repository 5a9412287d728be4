"""Decision forms: shape only (the decision service checks the rules)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from scorecard.services.decisions import RATIONALE_MAX


class RoundDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("advance", _l("Advance")), ("hold", _l("Hold")), ("reject", _l("Reject"))],
        validators=[InputRequired(_l("Choose advance, hold or reject."))],
    )
    rationale = TextAreaField(
        _l("Rationale"),
        description=_l(
            "Required when you decide against the recommendation, and for every revision."
        ),
        validators=[Length(max=RATIONALE_MAX)],
    )
    submit = SubmitField(_l("Record decision"))


class HireDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("hire", _l("Hire")), ("no_hire", _l("No hire"))],
        validators=[InputRequired(_l("Choose hire or no hire."))],
    )
    rationale = TextAreaField(
        _l("Rationale"),
        description=_l("Always required: what the decision rests on."),
        validators=[Length(max=RATIONALE_MAX)],
    )
    submit = SubmitField(_l("Record hire decision"))
