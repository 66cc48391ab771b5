"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (see docs/deploy.md).

Every value can be overridden from the environment, so one file serves every machine.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers behind a buffering reverse proxy: (2 x cores) + 1 is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
# Load Django once in the master: workers share its memory pages and start faster.
preload_app = True

# A request taking longer than this is stuck; the worker is replaced. What a request may still
# wait for: a database lock (SQLite's busy timeout is 20 s; PostgreSQL row locks are held for
# milliseconds) and Redis (CACHE_SOCKET_TIMEOUT, 0.25 s, then skipped). Mail is never sent inside
# a request (the mail thread or the worker does it, each bounded by EMAIL_TIMEOUT), so 30 s stays
# above the worst case.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On shutdown a worker finishes its requests and lets its mail thread finish the message it is
# sending (EMAIL_TIMEOUT, 10 s); what is left stays recorded for `send_queued_mail`.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so memory cannot creep up over weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200

# Access and error logs to stdout/stderr for the process manager (systemd, Docker) to collect.
# GUNICORN_ACCESS_LOG=off turns the access log off (the benchmarks do, to measure the app).
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "-") == "off" else "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Trust X-Forwarded-* only from the proxy in front (comma list of addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "webinars"
