"""R3–R5, R15 and a killed worker in CI size: scripts/load_autosave.py on this database.

The script migrates (a no-op here), seeds its own users and interviews, serves the app with
gunicorn on two free 127.0.0.1 ports (two app instances, one database), runs 16 autosaving
interviewers (locust users, in their own process) for 10 s whose requests alternate between
the instances, kills one worker with SIGKILL 4 s in, then 30 triple submits, 30 stale-save
pairs and a lock-out spread over both instances; it checks every acknowledged change against
the database and stops gunicorn. The figures are read from the JSON file the script writes
(`--json`). It runs on the suite's DATABASE_URL (SQLite by default, PostgreSQL in CI's
second pass); the `db` fixture wipes what it created.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.load


def test_autosave_load_loses_nothing_and_submits_once(db, tmp_path):
    url = os.environ["DATABASE_URL"]
    figures_file = tmp_path / "load.json"
    db.session.commit()  # hold no lock while gunicorn writes
    result = subprocess.run(
        [
            sys.executable,
            "scripts/load_autosave.py",
            "--database-url",
            url,
            "--duration",
            "10",
            "--clients",
            "16",
            "--cards-per-client",
            "2",
            "--r4",
            "30",
            "--r5",
            "30",
            "--instances",
            "2",
            "--kill-worker-after",
            "4",
            "--json",
            str(figures_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=110,
    )
    out = result.stdout + result.stderr
    print(out)
    assert result.returncode == 0, out
    figures = json.loads(figures_file.read_text())
    r3, r4, r5 = figures["r3"], figures["r4"], figures["r5"]
    lost = (r3["missing"], r3["lock_mismatches"], r3["duplicate_submissions"])
    assert lost == (0, 0, 0), out
    assert (r3["5xx"], r3["unexpected_conflicts"]) == (0, 0), out
    assert r3["acknowledged_saves"] > 0 and r3["submitted"] > 0, out
    assert (r4["scorecards"], r4["submissions"]) == (30, 30), out
    assert (r5["trials"], r5["exactly_one"]) == (30, 30), out
    # R15 and the fault: two app instances share sessions and lock-outs; a worker killed with
    # SIGKILL mid-load loses no acknowledged save (R3's 0 missing above covers its requests).
    fault, r15 = figures["fault"], figures["r15"]
    assert fault["worker"] and fault["at"] == 4, out
    assert fault["lost"] == 0, out
    assert (r15["instances"], r15["locked"], r15["logged_in"]) == (2, 2, 0), out
    assert figures["passed"], figures["verdicts"]
    # The same figures, human readable, for the log of the run.
    assert "R4: 30 scorecards × 3 identical concurrent submits: 30 submissions" in out
    assert "R5: 30 trials of two stale-version saves: exactly one won in 30" in out
    assert "RESULT: PASS" in out
