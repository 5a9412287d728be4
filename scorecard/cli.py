"""Command-line tools: `flask create-user`, `flask seed-demo`, `flask recommend`, …"""

import sys
from pathlib import Path

import click
from flask import Flask

from scorecard.extensions import db
from scorecard.models import Role


def _fail(message: str) -> None:
    """One line on stderr and exit status 2: bad input is never a traceback."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read ({exc.__class__.__name__}: {exc})")
        raise  # unreachable: _fail exits


def init_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", required=True, help="admin, hr, manager or interviewer")
    @click.option("--name", default=None, help="Display name (defaults to the e-mail's user part)")
    @click.option("--password-file", type=click.Path(dir_okay=False), default=None)
    def create_user_command(email: str, role: str, name: str | None, password_file: str | None):
        """Create a user; the password is prompted for unless --password-file is given."""
        from scorecard.services.accounts import create_user
        from scorecard.services.errors import DomainError

        if role not in {r.value for r in Role}:
            _fail(f"--role: unknown role {role!r}; use one of {', '.join(r.value for r in Role)}")
        if password_file:
            try:
                password = Path(password_file).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                _fail(f"--password-file: cannot read ({exc})")
        else:
            if not sys.stdin.isatty():
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = create_user(email, password, role, name)
        except DomainError as exc:
            db.session.rollback()
            _fail(f"{exc.field}: {exc.message}")
        db.session.commit()
        click.echo(f"created {user.email} ({user.role.value})")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create the demo users, jobs and candidates once (idempotent)."""
        from scorecard.seed.demo import DEMO_PASSWORD, demo_logins, seed_demo

        seed_demo(click.echo)
        db.session.commit()
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, role in demo_logins():
            click.echo(f"  {email:<26} {role}")

    @app.cli.command("seed-bench")
    @click.option("--candidates", default=1000, show_default=True, type=click.IntRange(1, 20000))
    @click.option("--seed", default=20261129, show_default=True, help="Random seed.")
    def seed_bench_command(candidates: int, seed: int):
        """Create a separate benchmark job: N candidates, 3 rounds, 3 interviewers, 10 criteria."""
        from scorecard.seed.bench import BENCH_PASSWORD, seed_bench

        with click.progressbar(length=candidates, label="Candidates") as bar:
            made = seed_bench(candidates, seed=seed, progress=bar.update)
        db.session.commit()
        click.echo(
            f"job #{made.job.id}: {candidates} candidates, {candidates * 9} submitted scorecards, "
            f"{candidates * 90} ratings; sign in as {made.hr.email} (password: {BENCH_PASSWORD})"
        )

    @app.cli.command("recommend")
    @click.argument("path")
    def recommend_command(path: str):
        """Print the recommendation for a scoring.md JSON document (PATH or - for stdin)."""
        from scorecard.scoring.contract import ContractError, recommend_json

        text = _read_input(path)
        try:
            click.echo(recommend_json(text))
        except ContractError as exc:
            _fail(str(exc))

    @app.cli.command("agreement")
    @click.argument("path")
    def agreement_command(path: str):
        """Print agreement and leniency figures for exported ratings (PATH or - for stdin)."""
        from scorecard.scoring.contract import ContractError, agreement_json

        text = _read_input(path)
        try:
            click.echo(agreement_json(text))
        except ContractError as exc:
            _fail(str(exc))

    @app.cli.command("validity")
    @click.argument("path")
    def validity_command(path: str):
        """Print a score's validity against an outcome, with its interval (PATH or -)."""
        from scorecard.scoring.contract import ContractError
        from scorecard.scoring.outcomes_contract import validity_json

        text = _read_input(path)
        try:
            click.echo(validity_json(text))
        except ContractError as exc:
            _fail(str(exc))

    @app.cli.command("adverse-impact")
    @click.argument("path")
    def adverse_impact_command(path: str):
        """Print selection rates, impact ratios and Fisher p-values per group (PATH or -)."""
        from scorecard.scoring.contract import ContractError
        from scorecard.scoring.outcomes_contract import adverse_impact_json

        text = _read_input(path)
        try:
            click.echo(adverse_impact_json(text))
        except ContractError as exc:
            _fail(str(exc))

    @app.cli.command("send-reminders")
    def send_reminders_command():
        """E-mail the author of every overdue scorecard, at most once a day per scorecard."""
        from scorecard.services.reminders import send_due_reminders

        report = send_due_reminders()
        click.echo(
            f"reminders: {report.sent} sent, {report.failed} failed, "
            f"{report.skipped} already sent today, {report.switched_off} switched off"
        )
        if report.failed:
            sys.exit(1)

    @app.cli.command("deliver")
    @click.option("--watch", is_flag=True, help="Keep running (a service); stop with SIGTERM.")
    @click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True)
    @click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
    def deliver_command(watch: bool, interval: float, limit: int):
        """Send queued e-mail notices and webhook deliveries (retries with back-off)."""
        import signal

        from scorecard.services import delivery

        if not watch:
            click.echo(delivery.deliver_once(limit).line())
            return
        stop = {"now": False}

        def _stop(_signum, _frame):
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        delivery.watch(
            interval,
            limit,
            keep_going=lambda: not stop["now"],
            report=lambda r: click.echo(r.line()),
        )

    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
    def apply_retention_command(dry_run: bool):
        """Erase candidates whose applications all closed longer ago than their jobs' retention."""
        from scorecard.services.privacy import apply_retention

        due = apply_retention(dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        for item in due:
            click.echo(
                f"{verb} candidate #{item.candidate.id}: last application closed "
                f"{item.closed_at:%Y-%m-%d} (job #{item.job_id}, retention "
                f"{item.retention_days} days)"
            )
        if dry_run:
            db.session.rollback()
            click.echo(f"{len(due)} candidate(s) due; nothing changed (--dry-run).")
        else:
            db.session.commit()
            click.echo(f"{len(due)} candidate(s) erased.")

    @app.cli.command("backup")
    @click.argument("target", required=False, type=click.Path(path_type=Path))
    @click.option("--keep", type=click.IntRange(1), default=None, help="Keep only the newest N.")
    def backup_command(target: Path | None, keep: int | None):
        """Back up the database to TARGET (a file or folder; default BACKUP_DIR) with a manifest."""
        from scorecard.services.backup import BackupError, create_backup, prune_backups

        try:
            result = create_backup(target)
            pruned = prune_backups(result.path.parent, keep) if keep else []
        except BackupError as exc:
            _fail(str(exc))
        tables = result.manifest["tables"]
        click.echo(
            f"backup {result.path}: {result.manifest['database']}, schema "
            f"{result.manifest['schema_revision']}, {len(tables)} tables, "
            f"{sum(t['rows'] for t in tables.values())} rows"
        )
        for name, figures in tables.items():
            click.echo(f"  {name:<28} {figures['rows']:>8} rows  sha256 {figures['sha256'][:16]}")
        for path in pruned:
            click.echo(f"deleted old backup {path.name}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that is not empty.")
    def restore_command(path: Path, force: bool):
        """Restore a backup into an empty database, check it against its manifest, upgrade it."""
        from scorecard.services.backup import BackupError, restore_backup

        try:
            result = restore_backup(path, force=force)
        except BackupError as exc:
            _fail(str(exc))
        click.echo(
            f"restored {path}: {result.tables} tables, {result.rows} rows, every table's "
            f"checksum matches the manifest (backup of {result.manifest['created_at']})"
        )
        if result.upgraded_from:
            click.echo(f"upgraded the schema from {result.upgraded_from} to head")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run what is due now and exit (for cron).")
    @click.option(
        "--poll",
        default=30.0,
        show_default=True,
        type=click.FloatRange(0.05, 3600),
        help="Seconds between looks at the schedule.",
    )
    def worker_command(once: bool, poll: float):
        """Run reminders, retention and backups on their schedule, once per period in all."""
        import signal
        import threading

        from sqlalchemy.exc import SQLAlchemyError

        from scorecard.services.scheduled import run_due

        stop = threading.Event()

        def _stop(_signum, _frame):  # type: ignore[no-untyped-def]
            stop.set()  # finish the job in hand, then leave

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        click.echo("worker: once" if once else f"worker: looking at the schedule every {poll:g} s")
        while True:
            try:
                ran = run_due()
            except SQLAlchemyError as exc:  # the database is away: try again next time
                db.session.rollback()
                click.echo(f"worker: database error ({exc.__class__.__name__}), retrying", err=True)
                ran = []
            for run in ran:
                click.echo(
                    f"{run.job} {run.period_start:%Y-%m-%d %H:%M:%S}: {run.status.value}, "
                    f"{run.message}"
                )
            db.session.remove()
            if once or stop.wait(poll):
                break
        click.echo("worker: stopped")
