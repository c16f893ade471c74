"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from examsite import create_app

app = create_app()
