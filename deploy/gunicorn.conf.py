"""gunicorn settings for one Scorecard app instance (docs/deploy.md).

    PROMETHEUS_MULTIPROC_DIR=/run/scorecard/metrics-1 gunicorn -c deploy/gunicorn.conf.py wsgi:app

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metric samples to files in that
folder and /metrics adds them up (prometheus_client's multi-process mode). Give each app
instance its own folder: it is emptied when the instance starts.
"""

import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# The app writes its own request line (with the request id); gunicorn's would repeat it
# with the query string, which may hold personal data.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):  # noqa: ARG001 - gunicorn's hook signature
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()  # samples of a previous run would be counted again


def child_exit(server, worker):  # noqa: ARG001
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
