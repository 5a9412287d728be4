"""The engine's reasons and flags in plain, translated words, with the numbers behind them."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from scorecard.i18n import bilingual_text
from scorecard.labels import RECOMMENDATION_LABELS, num
from scorecard.scoring import Flag, Reason, Result
from scorecard.scoring.model import RoundResult
from scorecard.services.recommendations import JobScoring

CONFIDENCE_LABELS = {"high": "high", "medium": "medium", "low": "low"}


def confidence_label(value: str) -> str:
    """'high' → 高 / high."""
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(value, value)


def recommendation_label(value: str) -> str:
    """'strong_hire' → 强烈建议录用 / Strong hire."""
    label = RECOMMENDATION_LABELS.get(value)
    return str(label) if label is not None else value


class Explainer:
    """Turns engine keys back into names of the job's rounds and criteria."""

    def __init__(self, scoring: JobScoring, names: Mapping[str, str] | None = None) -> None:
        self.scoring = scoring
        self.names = dict(names or {})
        self._rounds = {r.key: r for r in scoring.rounds}

    def round_name(self, key: str) -> str:
        rnd = self._rounds.get(key)
        return bilingual_text(rnd, "name") if rnd is not None else key

    def criterion_name(self, key: str | None) -> str:
        if key is None:
            return ""
        crit = self.scoring.criterion_for(key)
        return bilingual_text(crit, "name") if crit is not None else key.partition(":")[2]

    def red_flag_name(self, key: str | None) -> str:
        for flag in self.scoring.job.red_flags:
            if flag.key == key:
                return bilingual_text(flag, "label")
        return key or ""

    @staticmethod
    def flag_kind(kind: str) -> str:
        """A short label for a flag kind."""
        return {
            "disagreement": _("disagreement"),
            "overall_disagreement": _("overall disagreement"),
            "red_flag": _("red flag"),
            "veto": _("veto"),
            "low_rating": _("low rating"),
            "hurdle": _("hurdle"),
        }.get(kind, kind)

    def people(self, keys: tuple[str, ...]) -> str:
        return ", ".join(self.names.get(k, k) for k in keys)

    # -- lines ------------------------------------------------------------------------------

    def round_line(self, result: RoundResult) -> str:
        """'Technical interview 3.33: Databases 3.5 ×2, Design 3 ×1'."""
        parts = [
            f"{self.criterion_name(key)} {num(c.score)} ×{num(c.weight)}"
            for key, c in result.criteria.items()
            if c.score is not None
        ]
        unrated = [self.criterion_name(k) for k, c in result.criteria.items() if c.score is None]
        line = f"{self.round_name(result.key)} {num(result.score)}: " + ", ".join(parts)
        if unrated:
            line += "; " + _("not assessed: %(names)s", names=", ".join(unrated))
        return line

    def must_have_lines(self, result: Result | RoundResult) -> list[str]:
        """'must-have Databases 3.5 ≥ 2.5 ✓' for every must-have criterion in scope."""
        minimum = self.scoring.policy.hurdle_min
        lines = []
        for key, c in result.criteria.items():
            if not c.must_have:
                continue
            name = self.criterion_name(key)
            if c.score is None:
                lines.append(_("must-have %(name)s not rated ✗", name=name))
            elif c.score >= minimum - 1e-9:
                lines.append(
                    _(
                        "must-have %(name)s %(score)s ≥ %(min)s ✓",
                        name=name,
                        score=num(c.score),
                        min=num(minimum),
                    )
                )
            else:
                lines.append(
                    _(
                        "must-have %(name)s %(score)s < %(min)s ✗",
                        name=name,
                        score=num(c.score),
                        min=num(minimum),
                    )
                )
        return lines

    def reason(self, reason: Reason) -> str:
        """One engine reason in words."""
        p = reason.params
        code = reason.code
        if code == "band":
            return _(
                "Score %(score)s %(cmp)s %(threshold)s: %(rec)s",
                score=num(p["score"], 4),  # type: ignore[arg-type]
                cmp=p["comparison"],
                threshold=num(p["threshold"]),  # type: ignore[arg-type]
                rec=recommendation_label(str(p["recommendation"])),
            )
        if code == "incomplete_coverage":
            return _(
                "Incomplete: only %(coverage)s%% of the weighted criteria are rated "
                "(at least %(minimum)s%% needed)",
                coverage=num(float(p["coverage"]) * 100, 0),  # type: ignore[arg-type]
                minimum=num(float(p["minimum"]) * 100, 0),  # type: ignore[arg-type]
            )
        if code == "incomplete_must_have":
            return _(
                "Incomplete: must-have %(name)s is not rated",
                name=self.criterion_name(str(p["criterion"])),
            )
        if code == "incomplete_no_score":
            return _("Incomplete: nothing is rated yet")
        if code == "veto":
            return _(
                "No hire: %(name)s was rated 1 with a note (veto)",
                name=self.criterion_name(str(p["criterion"])),
            )
        if code == "hurdle":
            return _(
                "No hire: must-have %(name)s averages %(mean)s, below %(min)s",
                name=self.criterion_name(str(p["criterion"])),
                mean=num(p["mean"]),  # type: ignore[arg-type]
                min=num(p["minimum"]),  # type: ignore[arg-type]
            )
        if code == "low_rating_cap":
            return _(
                "A rating of 1 caps the result at %(rec)s",
                rec=recommendation_label(str(p["recommendation"])),
            )
        if code == "confidence_cap":
            return _(
                "Strong hire needs at least medium confidence (now %(conf)s): %(rec)s",
                conf=confidence_label(str(p["confidence"])),
                rec=recommendation_label(str(p["recommendation"])),
            )
        return reason.text

    def flag(self, flag: Flag, show_people: bool = True) -> str:
        """One debrief flag in words; names interviewers only for those allowed to see them."""
        rnd = self.round_name(flag.round)
        crit = self.criterion_name(flag.criterion)
        text = {
            "disagreement": _(
                "%(round)s: the panel disagrees on %(name)s (ratings 2+ apart)",
                round=rnd,
                name=crit,
            ),
            "overall_disagreement": _(
                "%(round)s: overall recommendations are 2+ steps apart", round=rnd
            ),
            "red_flag": _(
                "%(round)s: red flag “%(name)s” ticked by half the panel or more",
                round=rnd,
                name=self.red_flag_name(flag.red_flag),
            ),
            "veto": _(
                "%(round)s: %(name)s rated 1 on a veto-eligible criterion", round=rnd, name=crit
            ),
            "low_rating": _("%(round)s: %(name)s rated 1", round=rnd, name=crit),
            "hurdle": _("%(round)s: must-have %(name)s below the hurdle", round=rnd, name=crit),
        }.get(flag.kind, flag.kind)
        if show_people and flag.interviewers:
            text += f" — {self.people(flag.interviewers)}"
        return text
