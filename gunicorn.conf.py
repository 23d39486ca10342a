"""The production server: gunicorn with threads (`make run`).

Two worker processes (one per core; WEB_WORKERS) with 8 threads each (WEB_THREADS): the
analyses release the GIL in numpy, GEOS and PostgreSQL, so threads overlap their waits
and the workers use both cores. Each worker builds its own app (no preload: a database
pool must not cross a fork), with its own pool of connections kept open
(FLASK_DB_POOL_MAX, default 10: the 8 threads and room to spare, 20 sessions in all),
heavy-work slots (the cores divided among the workers: one each here) and memory ceiling
(MEMORY_LIMIT_MB, see web/limits.py); what one worker builds from the data the other
reads from var/cache (web/cache.py). Bind with BIND (default 127.0.0.1:5000;
0.0.0.0:5000 to serve the county network).
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
os.environ["WEB_WORKERS"] = str(workers)  # the workers share the cores' heavy slots (web/limits.py)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
os.environ["WEB_THREADS"] = str(threads)  # how many requests may wait for heavy work (web/limits.py)
timeout = 120            # an analysis may take a while; a stuck worker is replaced after this
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (matplotlib, GEOS caches), but seldom: a worker boots in
# 3.5 s of CPU (the app's imports), so every 2,000 requests cost 1.75 ms a request, more
# than an OGC item itself, and stalled clients for seconds under API load (make bench).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"


def post_worker_init(worker):
    """Each worker's nightly warm-up of the visit runs (web/warmup.py; one of them does it)."""
    from web import warmup

    warmup.start(worker.wsgi)
