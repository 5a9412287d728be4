"""Setting up a job: one module per aggregate (jobs, team, rounds and versions, criteria,
questions, red flags) and the template format."""
