"""Entry point: `gunicorn app:server` serves the cockpit; `python app.py` also runs the embedded scheduler."""
from cockpit import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    from cockpit.embedded import run

    run(app)
