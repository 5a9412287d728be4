"""The XLSX exports' row writer against XlsxWriter's own writers: the same cells read back."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from openpyxl import load_workbook

from scorecard.compare.exports import RowSheet, safe_text

TRICKY = [
    "张伟",
    "  leading and trailing  ",
    "tab\tinside",
    "line\nbreak",
    "bell\x07 and null\x00",
    "_x0041_ literal escape",
    "a & b < c > d \" e ' f",
    "<r>not rich</r>",
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@sum",
    "\ufffe non-character",
    "x" * 40_000,
    "",
]


def _book(write) -> list[list[object]]:  # noqa: ANN001 - a function of (book, sheet, formats)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    number = book.add_format({"num_format": "0.00"})
    ws = book.add_worksheet("Sheet", RowSheet)
    ws.write_string(0, 0, "header", book.add_format({"bold": True}))
    write(ws, number)
    book.close()
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _rows() -> list[list[object]]:
    return [[text, 3.25, None, 7, 0.1 + 0.2] for text in TRICKY]


def test_plain_rows_read_back_as_xlsxwriters_own_cells() -> None:
    def own(ws, number) -> None:  # noqa: ANN001
        for line, row in enumerate(_rows(), start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(line, col, str(safe_text(value)))
                else:
                    ws.write_number(line, col, value, number)

    def plain(ws, number) -> None:  # noqa: ANN001
        ws.plain_rows([None, number, None, number, number], {})
        for line, row in enumerate(_rows(), start=1):
            ws.plain_row(line, row)

    expected, got = _book(own), _book(plain)
    # XlsxWriter writes a text that looks like rich-string XML unescaped (its own quirk, a
    # broken cell); the row writer escapes it and keeps the text.
    rich = 1 + TRICKY.index("<r>not rich</r>")
    assert got[rich][0] == "<r>not rich</r>"
    expected[rich][0] = got[rich][0]
    assert got == expected
    assert len(got) == 1 + len(TRICKY)
    assert got[1 + TRICKY.index('=HYPERLINK("http://x")')][0].startswith("'=")
    assert len(got[1 + TRICKY.index("x" * 40_000)][0]) == 32_767
    assert got[1][1:] == [3.25, None, 7, 0.3]  # Excel's 16 significant digits, as XlsxWriter


def test_plain_rows_skip_non_finite_numbers_and_need_constant_memory() -> None:
    got = _book(
        lambda ws, number: (ws.plain_rows([None, None], {}), ws.plain_row(1, ["a", float("nan")]))
    )
    assert got == [["header", None], ["a", None]]
    book = xlsxwriter.Workbook(io.BytesIO())
    ws = book.add_worksheet("Sheet", RowSheet)
    with pytest.raises(RuntimeError):
        ws.plain_rows([None], {})
    book.close()
