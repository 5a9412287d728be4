"""CSV and XLSX exports of the comparison matrix and of a candidate's scorecards.

The exports show exactly what the pages show to the same user (the matrix already applies
permissions, the blind rule, filters and sort). CSV is UTF-8 with a byte-order mark so Excel
opens Chinese names correctly; XLSX has a frozen header, number formats, and one sheet per
round. Text that a spreadsheet would run as a formula (=, +, -, @ first) is quoted.
Numbers are rounded as on the page (2 decimals); not assessed is an empty cell, never 0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from math import isfinite
from typing import Any

import xlsxwriter
from flask_babel import gettext as _
from xlsxwriter.utility import (
    _preserve_whitespace,
    _utf16_len,
    _utf16_truncate,
    xl_col_to_name,
)
from xlsxwriter.worksheet import Worksheet

from scorecard.compare.present import Texts
from scorecard.i18n import bilingual_text
from scorecard.labels import DIMENSION_LABELS, RATING_LABELS, STAR_LABELS
from scorecard.models import Application, Dimension
from scorecard.services.explain import Explainer
from scorecard.services.matrix import DIMENSIONS, Matrix, Row
from scorecard.services.recommendations import JobScoring, engine_key
from scorecard.services.round_summary import CardView
from scorecard.services.scorecards import STAR_PARTS
from scorecard.timeutil import to_local

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = "0.00"
PERCENT = "0%"
# An XLSX export keeps the cells of up to 20,000 distinct short texts while it writes (names,
# stages, recommendations repeat across its sheets; long texts such as flag lists do not).
TEXTS_KEPT, TEXT_KEPT_MAX = 20_000, 80
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: Any) -> Any:
    """Quote text a spreadsheet would evaluate as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the matrix -------------------------------------------------------------------------------


class MatrixTable:
    """The matrix as header + typed rows, shared by CSV and XLSX."""

    def __init__(self, matrix: Matrix) -> None:
        self.matrix = matrix
        self.texts = Texts(matrix, Explainer(matrix.scoring))
        self.rounds = matrix.scoring.rounds

    def header(self) -> list[str]:
        return [
            _("Candidate"),
            _("Stage"),
            _("Recommendation"),
            _("Confidence"),
            _("Score"),
            _("Coverage"),
            *[str(DIMENSION_LABELS[Dimension(d)]) for d in DIMENSIONS],
            *[bilingual_text(r, "name") for r in self.rounds],
            _("Flags"),
        ]

    # Column kinds for XLSX number formats, parallel to header().
    def kinds(self) -> list[str]:
        return (
            ["text", "text", "text", "text", "num", "pct"]
            + ["num"] * (len(DIMENSIONS) + len(self.rounds))
            + ["text"]
        )

    def row(self, row: Row) -> list[Any]:
        s = row.summary
        base: list[Any] = [row.name, self.texts.stage(row)]
        if row.blind:
            blank = [None] * (3 + len(DIMENSIONS) + len(self.rounds))
            return [*base, _("Hidden until you submit your own scorecard"), *blank, ""]
        if s is None:
            blank = [None] * (3 + len(DIMENSIONS) + len(self.rounds))
            return [*base, _("No submitted scorecards yet"), *blank, ""]
        rounds = []
        for rnd in self.rounds:
            figures = s.rounds.get(rnd.key)
            rounds.append(_num(figures.score) if figures is not None else None)
        flags = "; ".join(dict.fromkeys(self.texts.flag(f) for f in s.flags))
        return [
            *base,
            self.texts.recs.get(s.recommendation, s.recommendation),
            self.texts.confidences.get(s.confidence, s.confidence),
            _num(s.score),
            round(s.coverage, 2),
            *[_num(s.dimensions.get(d)) for d in DIMENSIONS],
            *rounds,
            flags,
        ]

    def rows(self) -> Iterator[list[Any]]:
        return (self.row(r) for r in self.matrix.iter_rows())

    def round_sheet(self, key: str) -> tuple[list[str], list[str], list[Any]]:
        """One round's sheet: candidate, round figures and every criterion's score (header,
        column kinds, and the engine keys of the round's criteria for `round_row`)."""
        rnd = next(r for r in self.rounds if r.key == key)
        version = rnd.current_version
        crits = list(version.criteria) if version else []
        header = [
            _("Candidate"),
            _("Round score"),
            _("Recommendation"),
            _("Confidence"),
            _("Interviewers"),
            *[bilingual_text(c, "name") for c in crits],
        ]
        kinds = ["text", "num", "text", "text", "int"] + ["num"] * len(crits)
        return header, kinds, [engine_key(key, c.key) for c in crits]

    def round_row(self, key: str, criteria: Sequence[str], row: Row) -> list[Any]:
        """A row of `key`'s sheet; `criteria`: the engine keys of its criterion columns."""
        s = row.summary
        figures = s.rounds.get(key) if s is not None and not row.blind else None
        if figures is None or not figures.raters:
            return [row.name, None, "", "", None] + [None] * len(criteria)
        scores = figures.criteria
        return [
            row.name,
            _num(figures.score),
            self.texts.recs.get(figures.recommendation, figures.recommendation),
            self.texts.confidences.get(figures.confidence, figures.confidence),
            figures.raters,
            *[_num(scores.get(k)) for k in criteria],
        ]


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, CRLF line ends, formulas quoted; None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(text: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:28] or "Sheet"
    base, n = title, 2
    while title.lower() in taken:
        title = f"{base[:25]} {n}"
        n += 1
    taken.add(title.lower())
    return title


class RowSheet(Worksheet):
    """XlsxWriter's worksheet, in constant-memory mode, with one more writer: a whole row of
    plain texts and numbers as one string.

    XlsxWriter's own writers keep each cell as a tuple in a table, check its place and
    format, then write it out when the next row starts (and XML-escape every attribute):
    about 60 % of a large export. This writer sends the row's cells straight to the sheet's
    row file that XlsxWriter assembles into the workbook, with XlsxWriter's own escaping,
    length limit and number form; the header and everything else stay XlsxWriter's.
    """

    def plain_rows(self, formats: Sequence[Any], texts: dict[str, str]) -> None:
        """Prepare the writer: `formats` per column (None for none); `texts` keeps each text's
        cell ending, shared by the workbook's sheets (stages, recommendations and names repeat)."""
        if not self.constant_memory:
            raise RuntimeError("RowSheet writes rows in constant-memory mode only")
        self.refs = [xl_col_to_name(col) for col in range(len(formats))]
        self.styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in formats]
        self.texts = texts

    def _text_cell(self, value: object) -> str:
        """`value`'s inline-string cell after its reference: XlsxWriter's escaping and limit."""
        text = str(safe_text(value))
        if len(text) > self.xls_strmax // 2 and _utf16_len(text) > self.xls_strmax:
            text = _utf16_truncate(text, self.xls_strmax)
        keep = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        text = self._escape_data(self._escape_control_characters(text))
        return f'" t="inlineStr"><is><t{keep}>{text}</t></is></c>'

    def plain_row(self, row: int, values: Sequence[Any]) -> None:
        """Write row `row` (zero-based, after every row written by XlsxWriter's writers):
        None is an empty cell, int/float a number in its column's format, anything else text
        (formulas quoted, as `safe_text`)."""
        if row > self.previous_row:  # the rows XlsxWriter holds (the header) go out first
            self._write_single_row(row)
        line, texts = row + 1, self.texts
        cells = []
        for col, value in enumerate(values):
            if value is None:
                continue
            ref = self.refs[col]
            if isinstance(value, int | float) and not isinstance(value, bool):
                if isfinite(value):
                    cells.append(f'<c r="{ref}{line}"{self.styles[col]}><v>{value:.16G}</v></c>')
                continue
            ending = texts.get(value)
            if ending is None:
                ending = self._text_cell(value)
                if (
                    isinstance(value, str)
                    and len(value) <= TEXT_KEPT_MAX
                    and len(texts) < TEXTS_KEPT
                ):
                    texts[value] = ending
            cells.append(f'<c r="{ref}{line}{ending}')
        self.fh.write(f'<row r="{line}">{"".join(cells)}</row>')
        self._check_dimensions(row, len(values) - 1)


class _Sheet:
    """One worksheet being written, row after row; `close` adds the filter over the table."""

    def __init__(self, ws: RowSheet, formats: list[Any], width: int, texts: dict) -> None:
        self.ws, self.width, self.line = ws, width, 0
        ws.plain_rows(formats, texts)

    def write(self, row: Sequence[Any]) -> None:
        self.line += 1
        self.ws.plain_row(self.line, row)

    def close(self) -> None:
        self.ws.autofilter(0, 0, self.line, self.width - 1)


class _Book:
    """An XLSX workbook written row by row (XlsxWriter's constant-memory mode: each row goes
    to a temporary file as it is written, so a 5,000-candidate export holds one row at a
    time; about three times faster than openpyxl's write-only mode here)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"constant_memory": True})
        self.bold = self.book.add_format({"bold": True})
        self.formats = {
            kind: self.book.add_format({"num_format": fmt})
            for kind, fmt in (("num", NUMBER), ("pct", PERCENT), ("int", "0"))
        }
        self.taken: set[str] = set()
        self.texts: dict[str, str] = {}

    def sheet(self, title: str, header: Sequence[str], kinds: Sequence[str]) -> _Sheet:
        """A sheet with a bold frozen header and number formats per column; its rows are
        written one at a time (several sheets may be written side by side, each in order)."""
        ws = self.book.add_worksheet(_sheet_title(title, self.taken), RowSheet)
        for index, kind in enumerate(kinds):
            width = 12 if kind != "text" else 18
            ws.set_column(index, index, max(width, min(40, len(str(header[index])) + 2)))
        for col, h in enumerate(header):
            ws.write_string(0, col, str(safe_text(h)), self.bold)
        ws.freeze_panes(1, 1)
        return _Sheet(ws, [self.formats.get(k) for k in kinds], len(header), self.texts)

    def table(
        self, title: str, header: Sequence[str], kinds: Sequence[str], rows: Iterable
    ) -> None:
        """A whole sheet at once."""
        sheet = self.sheet(title, header, kinds)
        for row in rows:
            sheet.write(row)
        sheet.close()

    def bytes(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def matrix_csv(matrix: Matrix) -> bytes:
    """The matrix as CSV (UTF-8 with BOM)."""
    table = MatrixTable(matrix)
    return to_csv(table.header(), table.rows())


def matrix_xlsx(matrix: Matrix) -> bytes:
    """The matrix as XLSX: the candidates sheet and one sheet per round, written side by side
    in one pass over the rows (each chunk of rows decoded once)."""
    table = MatrixTable(matrix)
    book = _Book()
    main = book.sheet(_("Candidates"), table.header(), table.kinds())
    rounds = []
    for rnd in table.rounds:
        header, kinds, crits = table.round_sheet(rnd.key)
        rounds.append((rnd.key, crits, book.sheet(bilingual_text(rnd, "name"), header, kinds)))
    for row in matrix.iter_rows(criteria=True):
        main.write(table.row(row))
        for key, crits, sheet in rounds:
            sheet.write(table.round_row(key, crits, row))
    main.close()
    for _key, _crits, sheet in rounds:
        sheet.close()
    return book.bytes()


# --- a candidate's scorecards ----------------------------------------------------------------


def _local(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def scorecard_rows(
    scoring: JobScoring, views: Sequence[CardView]
) -> tuple[list[str], list[list[Any]]]:
    """Every visible submitted scorecard, one line per rating, overall, flag, note and STAR part."""
    header = [
        _("Round"),
        _("Interviewer"),
        _("Scorecard version"),
        _("Submitted at"),
        _("Edited after submitting"),
        _("Item"),
        _("Criterion or question"),
        _("Rating"),
        _("Rating label"),
        _("Text"),
    ]
    rows: list[list[Any]] = []
    names = {}
    for rnd in scoring.rounds:
        for version in rnd.versions:
            for crit in version.criteria:
                names[engine_key(rnd.key, crit.key)] = bilingual_text(crit, "name")
    for view in views:
        head = [
            bilingual_text(view.round, "name"),
            view.interviewer,
            view.version_number,
            _local(view.submitted_at),
            _local(view.edited_at) if view.edited_at else "",
        ]
        for key, rating in view.ratings.items():
            label = str(RATING_LABELS[rating.value]) if rating.value else _("not assessed")
            rows.append([*head, _("Rating"), names.get(key, key), rating.value, label, rating.note])
        overall = str(RATING_LABELS[view.overall]) if view.overall else ""
        rows.append([*head, _("Overall recommendation"), "", view.overall, overall, ""])
        for flag in view.red_flags:
            rows.append([*head, _("Red flag"), flag, None, "", ""])
        if view.takeaways:
            rows.append([*head, _("Take-aways"), "", None, "", view.takeaways])
        part_names = {part: str(label) for part, label in STAR_LABELS.items()}
        for star in view.star:
            for part in STAR_PARTS:
                if star.parts.get(part):
                    rows.append(
                        [
                            *head,
                            f"STAR · {part_names[part]}",
                            star.question,
                            None,
                            "",
                            star.parts[part],
                        ]
                    )
    return header, rows


def scorecards_csv(scoring: JobScoring, views: Sequence[CardView]) -> bytes:
    """A candidate's scorecards as CSV (UTF-8 with BOM)."""
    header, rows = scorecard_rows(scoring, views)
    return to_csv(header, rows)


def scorecards_xlsx(scoring: JobScoring, views: Sequence[CardView]) -> bytes:
    """A candidate's scorecards as XLSX, one sheet per round."""
    header, rows = scorecard_rows(scoring, views)
    kinds = ["text", "text", "int", "text", "text", "text", "text", "int", "text", "text"]
    book = _Book()
    for rnd in scoring.rounds:
        name = bilingual_text(rnd, "name")
        mine = [r for r in rows if r[0] == name]
        if mine:
            book.table(name, header, kinds, mine)
    if not book.taken:
        book.table(_("Scorecards"), header, kinds, [])
    return book.bytes()


def export_filename(kind: str, application: Application | None, job_id: int, ext: str) -> str:
    """An ASCII file name (the candidate's name stays out of it: it travels in e-mail subjects)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if application is not None:
        return f"scorecards-application-{application.id}-{stamp}.{ext}"
    return f"{kind}-job-{job_id}-{stamp}.{ext}"
