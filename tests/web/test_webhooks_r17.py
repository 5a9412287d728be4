"""R17 in CI size: scripts/webhooks_r17.py on this database (SQLite, or PostgreSQL in CI's
second pass): 20 events submitted through gunicorn, a receiver failing 30 % with 500s and
timeouts, both delivery workers SIGKILLed mid-run; every event arrives, signed, 0 5xx."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.load


def test_no_event_is_lost_on_its_way(db):
    db.session.commit()  # hold no lock while gunicorn and the workers write
    result = subprocess.run(
        [
            sys.executable,
            "scripts/webhooks_r17.py",
            "--database-url",
            os.environ["DATABASE_URL"],
            "--events",
            "20",
            "--clients",
            "2",
            "--wait",
            "90",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # generous: a busy machine starts gunicorn and three workers slowly
    )
    figures = "\n".join(line for line in result.stdout.splitlines() if line.startswith("R17"))
    print(figures)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"20 of 20 delivered \(by event id\)", figures), figures
    signed = re.search(r"(\d+) of (\d+) signatures verify; 0 5xx", figures)
    assert signed and signed.group(1) == signed.group(2), figures
    assert re.search(r"receiver failed [1-9]\d* of", figures), figures  # it really failed
