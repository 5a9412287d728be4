"""The job's recommendation policy form (shape only; the service checks the rules)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, SubmitField
from wtforms.validators import InputRequired, NumberRange


def _threshold(label):
    return DecimalField(label, places=2, validators=[InputRequired(), NumberRange(min=1, max=4)])


class PolicyForm(FlaskForm):
    band_strong_hire = _threshold(_l("Strong hire from score"))
    band_hire = _threshold(_l("Hire from score"))
    band_lean_no = _threshold(_l("Lean no from score"))
    coverage_min = DecimalField(
        _l("Minimum coverage (0–1)"),
        places=2,
        validators=[InputRequired(), NumberRange(min=0, max=1)],
    )
    hurdle_min = _threshold(_l("Must-have hurdle (mean at least)"))
    r1 = DecimalField(
        _l("Single-interview reliability r1 (0–1)"),
        places=3,
        validators=[InputRequired(), NumberRange(min=0.01, max=1)],
    )
    hide_until_debrief = BooleanField(_l("Hide colleagues' scorecards until the debrief"))
    use_calibrated = BooleanField(_l("Use calibrated (leniency-adjusted) scores"))
    submit = SubmitField(_l("Save policy"))
