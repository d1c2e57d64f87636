"""gunicorn's configuration for both pools of `make serve` (bin/serve passes the binding, the
workers and PORTAL_POOL): a dead worker's metric files are marked (Prometheus multiprocess
mode), and with PORTAL_LOG_FORMAT=json gunicorn's own lines are JSON too. The request lines
are the portal's (portal.ops.middleware), so gunicorn's access log stays off."""

import os

worker_class = "sync"
# nginx buffers slow clients, so a sync worker is only busy while the portal works. A sync
# worker closes every connection after its answer (gunicorn has no keep-alive for them), so
# nginx's upstreams keep none either (a kept connection would hold a worker): a connection
# on 127.0.0.1 costs tens of microseconds.
# The workers' heartbeat (a file touched at every request and every second) in memory, not
# on the disk's file system, as gunicorn's documentation advises.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
graceful_timeout = 10
accesslog = None
errorlog = "-"
proc_name = f"portal-{os.environ.get('PORTAL_POOL', 'web')}"

if os.environ.get("PORTAL_LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.ops.jsonlog.JsonFormatter"}},
        "root": {"level": "INFO", "handlers": ["console"]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            # One line per request is the portal's (logger portal.request), not gunicorn's.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
