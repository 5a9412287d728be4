"""A throw-away PostgreSQL 15 cluster on 127.0.0.1 for tests that stop and start a server."""

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.serve import free_port  # also the port for test_ops_health's own servers

PGBIN = Path("/usr/lib/postgresql/15/bin")


def need_postgresql() -> None:
    if not (PGBIN / "pg_ctl").exists():
        pytest.skip(f"needs PostgreSQL 15 at {PGBIN} (apt-get install postgresql-15)")


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PGBIN / args[0]), *args[1:]],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off"
        )
        self._pg(
            "pg_ctl", "-D", str(self.folder / "db"), "-l", str(self.folder / "log"), "-w",
            "-o", opts, "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.folder / "db"), "-m", "fast", "-w", "stop")


@contextmanager
def throwaway_postgresql() -> Iterator[Cluster]:
    """initdb, start; yields the cluster; stops it and deletes its files."""
    need_postgresql()
    folder = Path(tempfile.mkdtemp(prefix="scorecard-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    cluster._pg("initdb", "-D", str(folder / "db"), "-A", "trust", "-U", "postgres")
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(folder, ignore_errors=True)
