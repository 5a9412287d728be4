"""The page chrome every page repeats — the main navigation, the account links, the
stylesheets — rendered once per role, language and application root, then kept.

Rendered on every view it was 17 URL builds and 15 translations a page, about a tenth of
the kit page (scripts/bench_kit.py). What it shows depends on nothing else: the user's name,
the CSRF token and the language switch's return path stay in base.html, per request.
"""

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from scorecard.i18n import current_locale

PARTS = frozenset({"head", "nav", "account"})
_KEPT = "scorecard_chrome"
_MOST = 64  # roles × languages × roots; a root can come from a proxy's header


def chrome(part: str) -> Markup:
    """The kept rendering of `part` of templates/_chrome_links.html for this viewer."""
    if part not in PARTS:
        raise ValueError(f"no chrome part {part!r}")
    role = current_user.role.value if current_user.is_authenticated else ""
    key = (part, role, current_locale(), request.script_root)
    kept: dict = current_app.extensions[_KEPT]
    html = kept.get(key)
    if html is None:
        if len(kept) >= _MOST:
            kept.clear()
        template = current_app.jinja_env.get_template("_chrome_links.html")
        # An .html template renders with autoescaping: every value in it is escaped already.
        html = kept[key] = Markup(template.render(part=part, role=role))  # nosec B704
    return html


def init_app(app: Flask) -> None:
    app.extensions[_KEPT] = {}
    app.jinja_env.globals["chrome"] = chrome
