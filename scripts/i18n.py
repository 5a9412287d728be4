"""Keep the catalogs complete: extract, update, fill en, report or fill missing zh_CN.

python scripts/i18n.py update            # extract + update both catalogs, list missing zh_CN
python scripts/i18n.py fill zh.json      # merge {"msgid": "译文"} into the zh_CN catalog
"""

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANS = ROOT / "scorecard" / "translations"
POT = ROOT / "messages.pot"


def _po(lang: str) -> Path:
    return TRANS / lang / "LC_MESSAGES" / "messages.po"


def _load(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _save(catalog, path: Path) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


def update() -> int:
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run(
        [
            pybabel,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(POT),
            ".",
        ],
        check=True,
        cwd=ROOT,
    )
    subprocess.run(
        [pybabel, "update", "-N", "-i", str(POT), "-d", str(TRANS)],
        check=True,
        cwd=ROOT,
    )
    en = _load(_po("en"))
    for message in en:
        if message.id and not message.string:
            message.string = message.id  # English source text is the English translation
    _save(en, _po("en"))
    return report()


def report() -> int:
    missing = [m.id for m in _load(_po("zh_CN")) if m.id and (not m.string or m.fuzzy)]
    for msgid in missing:
        print(json.dumps(msgid, ensure_ascii=False))
    print(f"{len(missing)} zh_CN message(s) missing", file=sys.stderr)
    return 1 if missing else 0


def fill(path: str) -> int:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    zh = _load(_po("zh_CN"))
    for message in zh:
        if message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    _save(zh, _po("zh_CN"))
    return report()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "fill":
        sys.exit(fill(sys.argv[2]))
    sys.exit(update() if command == "update" else report())
