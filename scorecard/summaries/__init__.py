"""The hiring manager's round summaries and decisions, and the job summary."""
