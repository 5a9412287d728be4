"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (production settings)."""

import os

from config import Config, ProductionConfig
from scorecard import create_app

app = create_app(ProductionConfig if os.environ.get("SCORECARD_ENV") == "production" else Config)
