"""Every message of the setup, candidate and scheduling pages has a Chinese translation
(in the catalog, or in the pending file until the catalogs are merged)."""

import json
import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PENDING = ROOT / "scorecard" / "translations" / "pending" / "setup.zh.json"


def _sources() -> list[tuple[str, Path]]:
    python = [
        *ROOT.glob("scorecard/setup/*.py"),
        *ROOT.glob("scorecard/candidates/*.py"),
        *ROOT.glob("scorecard/services/setup/*.py"),
        *(ROOT / f"scorecard/services/{n}.py" for n in ("scheduling", "candidates", "reminders")),
    ]
    templates = [
        *ROOT.glob("templates/setup/*.html"),
        *ROOT.glob("templates/candidates/*.html"),
        *(ROOT / f"templates/main/{n}.html" for n in ("jobs", "job_detail", "candidates")),
    ]
    return [("python", p) for p in python] + [("jinja2", p) for p in templates]


def _messages() -> set[str]:
    found = set()
    for method, path in _sources():
        for _line, message, _comments, _ctx in extract_from_file(method, path, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _known_zh() -> dict[str, str]:
    path = ROOT / "scorecard" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        known = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    for pending in (ROOT / "scorecard" / "translations" / "pending").glob("*.zh.json"):
        known.update(json.loads(pending.read_text(encoding="utf-8")))
    return known


def test_every_setup_message_has_a_chinese_translation():
    messages = _messages()
    assert len(messages) > 150
    known = _known_zh()
    missing = sorted(m for m in messages if not known.get(m))
    assert missing == []


def test_pending_translations_keep_their_placeholders():
    if not PENDING.exists():  # merged into the catalogs by the lead
        return
    for msgid, text in json.loads(PENDING.read_text(encoding="utf-8")).items():
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text)), msgid
        assert re.search(r"[\u4e00-\u9fff]", text), msgid
