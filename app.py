"""Entry point: `gunicorn app:server` serves the cockpit; `python app.py` also runs the embedded scheduler."""
import gc

from cockpit import create_app

app = create_app()
server = app.server
gc.freeze()  # the app's long-lived objects leave the collector's view: no full collection spike mid-request

if __name__ == "__main__":
    from cockpit.embedded import run

    run(app)
