"""Outcomes, validity, interviewer report and adverse impact pages (issue 14), one blueprint
("analytics"): `outcomes`, `validity` (with the interviewer report), `adverse`; `common`
holds the blueprint. Importing the package registers every route."""

from . import adverse, outcomes, validity
from .common import bp

__all__ = ["adverse", "bp", "outcomes", "validity"]
