"""gunicorn's settings for the cockpit (gunicorn reads this file from the working directory; WEB_CONCURRENCY,
gunicorn's own variable, sets the number of workers).

Threads, so a wall's cheap data-version poll never queues behind an export or a page render in a busy worker:
eight per worker, twice COCKPIT_EXPORTS_TOTAL's default of four exports streaming per process, so however many
analysts export, half the threads stay free for polls and pages (issue 11 #7). A keep-alive longer than the walls'
5-second poll, so a connection is not closed just as a wall reuses it."""
worker_class = "gthread"
threads = 8
keepalive = 75
timeout = 60
