"""The scorecard service's refusals: a stale lock, a closed scorecard, missing items, bad input."""

from flask_babel import gettext as _

from scorecard.services.errors import DomainError


class Conflict(DomainError):
    """The writer's lock_version is stale: somebody saved this scorecard in between."""

    code = "conflict"

    def __init__(self) -> None:
        super().__init__(
            None,
            _("This scorecard was changed in another tab or device. Choose which values to keep."),
        )


class Locked(DomainError):
    """The scorecard cannot take this change any more (submitted, or interview cancelled)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(None, message)
        self.code = code


class Incomplete(DomainError):
    """Submitting needs more: every problem, each with the field it belongs to."""

    code = "incomplete"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            problems[0][0],
            _("%(count)d items still need your attention before submitting.", count=len(problems))
            if len(problems) > 1
            else problems[0][1],
        )
        self.problems = problems


class InvalidField(DomainError):
    """A change failed validation; nothing of the request was stored."""

    code = "invalid"
