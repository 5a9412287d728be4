"""`bandit -r scorecard -ll`: no medium- or high-severity finding in the application code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-m", "bandit", "-r", "scorecard", "-ll", "-q", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "No module named bandit" not in result.stderr, (
        "bandit is missing: install the dev extras (pip install -e '.[dev]')"
    )
    assert result.returncode == 0, result.stdout + result.stderr
