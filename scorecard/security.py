"""Response headers that make every page safe by default, and untrusted hosts refused (R9)."""

from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape
from werkzeug.exceptions import SecurityError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Sent with every answer unless the view set its own (a download's own CSP, say).
DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def set_security_headers(response):
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass, not one per header
    for name, value in DEFAULT_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if not request.path.startswith("/static/") and current_user.is_authenticated:
        # Pages for signed-in users carry personal data: never cache them.
        headers["Cache-Control"] = "no-store"
    return response


def refuse_untrusted_host():
    """Stop a request for a Host outside TRUSTED_HOSTS before any other hook runs.

    Flask records the SecurityError as the routing exception; raising it here keeps the
    session, CSRF and login hooks from running for a host we do not serve.
    """
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def untrusted_host(_exc):
    # No URL adapter exists for an untrusted host, so no template with url_for: plain HTML.
    title = escape(_("Bad request"))
    message = escape(_("This server does not answer for that host name."))
    body = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{message}</p></body></html>"
    )
    response = Response(body, status=400, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.register_error_handler(SecurityError, untrusted_host)
    app.after_request(set_security_headers)
