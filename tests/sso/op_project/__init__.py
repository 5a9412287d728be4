"""A minimal Django project serving django-oidc-provider: the real OpenID provider of the tests.

Nothing here speaks the protocol: django-oidc-provider does (discovery, authorize with PKCE,
token, JWKS, userinfo, end-session). This project only supplies its settings, a login page,
the claims (e-mail, e-mail verified, groups) and a switch the tests use to make the provider
misbehave (hooks.py, tamper.py).
"""
