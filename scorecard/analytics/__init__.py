"""Post-hire outcomes, validity, the interviewer report and adverse impact (issue 14)."""
