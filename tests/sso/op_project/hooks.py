"""Claims the provider gives: name, e-mail, e-mail verified, and the user's Django groups.

A user in the group UNVERIFIED has an e-mail the provider does not vouch for. The tamper file
(written by the tests) makes the provider sign tokens with a wrong audience, issuer, expiry
or without the nonce — the provider's own key still signs them.
"""

import json
import time

from django.conf import settings

UNVERIFIED = "email-unverified"


def tamper() -> dict:
    try:
        return json.loads(settings.TAMPER_FILE.read_text())
    except (OSError, ValueError):
        return {}


def userinfo(claims, user):
    claims["name"] = user.get_full_name() or user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["preferred_username"] = user.username
    claims["email"] = user.email
    claims["email_verified"] = not user.groups.filter(name=UNVERIFIED).exists()
    return claims


def idtoken_hook(id_token, user, token, request, **kwargs):
    id_token["groups"] = sorted(g.name for g in user.groups.all() if g.name != UNVERIFIED)
    t = tamper()
    for claim in ("aud", "iss"):
        if claim in t:
            id_token[claim] = t[claim]
    if "exp_offset" in t:
        now = int(time.time())
        id_token["exp"] = now + int(t["exp_offset"])
        id_token["iat"] = id_token["exp"] - 600
    if t.get("drop_nonce"):
        id_token.pop("nonce", None)
    if "nonce" in t:
        id_token["nonce"] = t["nonce"]
    return id_token
