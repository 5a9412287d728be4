"""OpenID Connect through Authlib's Flask client.

Authorization code flow with PKCE (S256); the discovery document gives the endpoints and the
keys. Authlib checks `state` against the session and, for the ID token, the signature (JWKS),
`iss`, `aud`, `exp`/`iat` and the `nonce` it stored for this browser; the profile below only
believes an e-mail the provider says is verified.
"""

from __future__ import annotations

import threading

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app

from scorecard.models import IdentitySource
from scorecard.sso.provisioning import ExternalProfile

LEEWAY_S = 60  # clock skew accepted on exp / iat
_clients: dict[tuple, FlaskOAuth2App] = {}
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused our client (configuration)."""


class TokenRejected(Exception):
    """The provider's answer failed a check (state, nonce, signature, claims)."""


def enabled() -> bool:
    c = current_app.config
    return bool(c.get("OIDC_ISSUER") and c.get("OIDC_CLIENT_ID"))


def client() -> FlaskOAuth2App:
    """The Authlib client for the configured provider (one per configuration, kept)."""
    c = current_app.config
    issuer = c["OIDC_ISSUER"].rstrip("/")
    key = (issuer, c["OIDC_CLIENT_ID"], c.get("OIDC_CLIENT_SECRET", ""), c.get("OIDC_SCOPES"))
    with _lock:
        found = _clients.get(key)
        if found is None:
            found = FlaskOAuth2App(
                FlaskIntegration("oidc"),
                "oidc",
                client_id=key[1],
                client_secret=key[2],
                server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": key[3] or "openid email profile",
                    "code_challenge_method": "S256",
                    "timeout": 10,
                },
            )
            _clients[key] = found
        return found


def _is_true(value: object) -> bool:
    # Some providers send the string "true"; anything else is not a confirmation.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _groups(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def profile_from(token: dict, userinfo: dict | None = None) -> ExternalProfile:
    """The profile from validated ID-token claims (and the userinfo answer for the same sub)."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub") or not claims.get("iss"):
        raise TokenRejected("the ID token has no sub or iss")
    if userinfo and userinfo.get("sub") == claims["sub"]:
        for name, value in userinfo.items():
            claims.setdefault(name, value)
    groups_claim = current_app.config.get("OIDC_GROUPS_CLAIM") or "groups"
    return ExternalProfile(
        source=IdentitySource.OIDC,
        subject=f"{claims['iss']} {claims['sub']}",
        email=claims.get("email") if isinstance(claims.get("email"), str) else None,
        email_verified=_is_true(claims.get("email_verified")),
        name=claims.get("name") if isinstance(claims.get("name"), str) else None,
        groups=_groups(claims.get(groups_claim)),
    )


def needs_userinfo(token: dict) -> bool:
    """The ID token left out the groups or e-mail: ask the userinfo endpoint too."""
    claims = token.get("userinfo") or {}
    groups_claim = current_app.config.get("OIDC_GROUPS_CLAIM") or "groups"
    return groups_claim not in claims or "email" not in claims
