"""examsite: pre-appointment legal knowledge tests and appointment records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from examsite.config import build_config
from examsite.core.proxy import install_proxy_fix
from examsite.core.retry import ExamsiteFlask
from examsite.extensions import babel, csrf, db, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI."""
    app = ExamsiteFlask(__name__, instance_relative_config=True)
    app.config.update(build_config(Path(app.instance_path), config))
    install_proxy_fix(app)  # X-Forwarded-* only from EXAMSITE_TRUSTED_PROXIES

    _init_extensions(app)
    _register_blueprints(app)

    from examsite.cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from examsite import models  # noqa: F401  (all tables on the metadata)
    from examsite.core import sqlite  # noqa: F401  (registers the SQLite connection setup)
    from examsite.core.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from examsite.appointments.views import bp as appointments_bp
    from examsite.appointments.views import public as oath_bp
    from examsite.auth import identity  # noqa: F401  (staff loader for Flask-Login)
    from examsite.auth.views import bp as auth_bp
    from examsite.bank.views import bp as bank_bp
    from examsite.bodies.views import bp as bodies_bp
    from examsite.core.views import bp as core_bp
    from examsite.core.web import init_web
    from examsite.dashboard.views import bp as dashboard_bp
    from examsite.exams import identity as exam_identity  # noqa: F401  (candidate loader)
    from examsite.exams.candidate_views import bp as exam_bp
    from examsite.exams.candidate_views import practice_bp
    from examsite.exams.views import bp as exams_bp
    from examsite.invigilation.views import bp as invigilation_bp
    from examsite.reports.views import bp as reports_bp
    from examsite.statistics.views import bp as statistics_bp

    init_web(app)
    for bp in (
        core_bp,
        auth_bp,
        bodies_bp,
        bank_bp,
        exams_bp,
        exam_bp,
        practice_bp,
        invigilation_bp,
        appointments_bp,
        oath_bp,
        reports_bp,
        statistics_bp,
        dashboard_bp,
    ):
        app.register_blueprint(bp)
