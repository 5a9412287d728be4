"""Domain errors raised by services and turned into field errors by views."""


class DomainError(Exception):
    """A business rule was broken; `field` names the input at fault (or None)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
