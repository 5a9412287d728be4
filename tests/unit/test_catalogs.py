"""Every UI message has a zh_CN and an en translation; the catalogs are up to date."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def source_messages() -> set[str]:
    found: set[str] = set()
    for method_dir, method_map in (
        ("scorecard", [("**.py", "python")]),
        ("templates", [("**.html", "jinja2")]),
    ):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / method_dir, method_map=method_map, keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(lang: str) -> dict[str, str]:
    path = ROOT / "scorecard" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        po = read_po(fh)
    return {m.id: m.string for m in po if m.id and not m.fuzzy}


def test_source_has_messages():
    assert len(source_messages()) > 50


def test_zh_cn_catalog_is_complete():
    zh = catalog("zh_CN")
    missing = sorted(m for m in source_messages() if not zh.get(m))
    assert missing == [], f"run scripts/i18n.py update and translate: {missing[:20]}"


def test_en_catalog_is_complete():
    en = catalog("en")
    missing = sorted(m for m in source_messages() if not en.get(m))
    assert missing == [], f"run scripts/i18n.py update: {missing[:20]}"


def test_placeholders_survive_translation():
    import re

    zh = catalog("zh_CN")
    for msgid, text in zh.items():
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text)), msgid
