"""The hiring team's setup: jobs, team, rounds, scorecards, interviews, overdue feedback."""

from flask import Blueprint

bp = Blueprint("setup", __name__)

from scorecard.setup import jobs, overdue, rounds, schedule  # noqa: E402, F401
