"""Locale choice and bilingual (zh / en) content helpers."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

SUPPORTED = ("zh_CN", "en")


def select_locale() -> str:
    """The user's stored choice, then this session's choice, then Accept-Language."""
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in SUPPORTED:
        return chosen
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best in ("zh_CN", "zh"):
        return "zh_CN"
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def current_locale() -> str:
    """The active locale as a string, e.g. 'zh_CN' or 'en'."""
    return str(get_locale() or "en")


def localized(obj: object, field: str, locale: str) -> tuple[str, bool]:
    """(text, is_fallback) of the zh/en field pair `field` in `locale` ('zh…' or 'en').

    Works on model objects and plain rows alike: it only reads `<field>_zh` / `<field>_en`.
    """
    first, second = ("zh", "en") if locale.startswith("zh") else ("en", "zh")
    value = getattr(obj, f"{field}_{first}") or ""
    if value.strip():
        return value, False
    other = getattr(obj, f"{field}_{second}") or ""
    return other, bool(other.strip())


def bilingual(obj: object, field: str, locale: str | None = None) -> Markup:
    """Render a zh/en field in the current language, marking a fallback visibly.

    `locale` (the current one) saves looking it up again for each of many texts.
    """
    locale = locale or current_locale()
    text, fallback = localized(obj, field, locale)
    if fallback:
        other = "en" if locale.startswith("zh") else "zh"
        return Markup('<span class="fallback" lang="{}" title="{}">{}</span>').format(
            other, _fallback_title(), escape(text)
        )
    return escape(text)  # what Markup("{}").format(text) gives, without the formatter


def bilingual_text(obj: object, field: str, locale: str | None = None) -> str:
    """Plain-text variant of `bilingual`, for exports, JSON and attributes."""
    return localized(obj, field, locale or current_locale())[0]


def _fallback_title() -> str:
    from flask_babel import gettext

    return gettext("Not translated yet: shown in the other language")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(bi=bilingual, current_locale=current_locale)
