"""The interviewer's interview kit: the live scoring page and its JSON endpoints."""
