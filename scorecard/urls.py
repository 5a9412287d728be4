"""URL helpers."""

from urllib.parse import urlsplit


def is_local_path(target: str | None) -> bool:
    """True only for a same-site path such as '/jobs/3' (never '//evil', 'http:', '\\\\')."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
