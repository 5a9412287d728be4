"""Administration (blueprint "admin"): `users` (users, roles and the security settings),
`audit` (the audit log), `data_protection` (erasure, data export, retention); `common`
holds the blueprint and what the pages share. Importing the package registers every route."""

from . import audit, data_protection, users
from .common import bp

__all__ = ["audit", "bp", "data_protection", "users"]
