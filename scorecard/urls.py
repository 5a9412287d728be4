"""URL helpers: which stored or submitted text may become a redirect target or a link."""

from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup


def is_local_path(target: str | None) -> bool:
    """True only for a same-site path such as '/jobs/3' (never '//evil', 'http:', '\\\\')."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_web_url(value: str | None, mailto: bool = False) -> bool:
    """True only for an absolute http(s) URL with a host, or (when `mailto`) a mailto: address.

    The one rule for text that becomes an href/src/action: javascript:, data:, vbscript:,
    relative paths and anything with a control character (browsers drop tabs and newlines
    inside a scheme, so 'java\\tscript:' would still run) are refused.
    """
    if not value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    lowered = value.lower()
    if lowered.startswith(("https://", "http://")):
        return bool(urlsplit(value).netloc)
    return mailto and lowered.startswith("mailto:") and len(value) > len("mailto:")


def external_link(
    url: str | None, label: str | None = None, mailto: bool = False, new_tab: bool = True
) -> Markup:
    """A link to `url` when is_web_url allows it; otherwise `url` as plain, escaped text.

    Every template that puts stored or outside text into an href goes through this filter:
    `{{ iv.video_link|external_link(_('Video link')) }}`. A web link opens in a new tab
    without telling the site where it came from, unless `new_tab` is False.
    """
    if not url:
        return Markup("")
    text = url if label is None else label
    if not is_web_url(url, mailto=mailto):
        return Markup('<span class="not-a-link">{}</span>').format(url)
    if url.lower().startswith("mailto:"):
        return Markup('<a href="{}">{}</a>').format(url, text)
    if not new_tab:
        return Markup('<a href="{}" rel="noreferrer">{}</a>').format(url, text)
    return Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(url, text)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["external_link"] = external_link
