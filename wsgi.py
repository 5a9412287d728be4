"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (production settings)."""

import gc
import os

from config import Config, ProductionConfig
from scorecard import create_app

app = create_app(ProductionConfig if os.environ.get("SCORECARD_ENV") == "production" else Config)

# What the application made while starting (modules, templates, the schema) lives as long as
# the process: moved out of the collector's generations, a full collection during a large
# request (an export of 5,000 rows) no longer walks all of it again.
gc.collect()
gc.freeze()
