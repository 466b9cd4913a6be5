"""gunicorn's settings for the cockpit (gunicorn reads this file from the working directory; WEB_CONCURRENCY,
gunicorn's own variable, sets the number of workers).

Threads, so a wall's cheap data-version poll never queues behind an export or a page render in a busy worker;
a keep-alive longer than the walls' 5-second poll, so a connection is not closed just as a wall reuses it."""
worker_class = "gthread"
threads = 4
keepalive = 75
timeout = 60
