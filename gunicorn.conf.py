"""gunicorn's settings for the cockpit (gunicorn reads this file from the working directory; WEB_CONCURRENCY,
gunicorn's own variable, sets the number of workers).

Threads, so a wall's cheap data-version poll never queues behind an export or a page render in a busy worker:
eight per worker, twice COCKPIT_EXPORTS_TOTAL's default of four exports streaming per process, so however many
analysts export, half the threads stay free for polls and pages (issue 11 #7). A keep-alive longer than the walls'
5-second poll, so a connection is not closed just as a wall reuses it."""
worker_class = "gthread"
# gunicorn itself believes no X-Forwarded-* header (its default trusts 127.0.0.1's): the app's ProxyFix, set by
# COCKPIT_TRUSTED_PROXIES, is the one place that decides which proxies to believe.
forwarded_allow_ips = ""
threads = 8
keepalive = 75
timeout = 60


def post_worker_init(worker):
    """A thread waiting for the GIL gets it after 1 ms instead of Python's 5: a poll's few GIL hand-offs cost
    milliseconds, not tens of them, while export threads in the same worker turn rows into CSV."""
    import sys
    sys.setswitchinterval(0.001)
