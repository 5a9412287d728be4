"""Company sign-in routes (blueprint "sso"): `sign_in` (OpenID Connect, the directory form,
linking), `sessions` (what every request checks), `admin` (the admin page); `common` holds
the blueprint and what the routes share. Importing the package registers every route."""

from . import admin, sessions, sign_in
from .common import LINK, NEXT, PROVIDER_LOGOUT, SSO, bp, provider_label

__all__ = [
    "LINK",
    "NEXT",
    "PROVIDER_LOGOUT",
    "SSO",
    "admin",
    "bp",
    "provider_label",
    "sessions",
    "sign_in",
]
