"""HR compares candidates in the browser: sort by technical score, filter to hire, pick three,
see the radar chart and the table, download CSV and XLSX and find the page's numbers in them."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from scorecard.models import Job

pytestmark = pytest.mark.browser


@pytest.fixture
def job_id(demo_data, db) -> int:
    job_id = db.session.scalar(sa.select(Job.id).where(Job.title_en.like("Medical%")))
    db.session.rollback()  # hold no read snapshot while the server works
    return job_id


def _numbers(page, column: str) -> list[float | None]:
    """The column's cells in page order: a number, or None for "not assessed"."""
    out = []
    for text in page.locator(f'#matrix tbody td[data-col="{column}"]').all_inner_texts():
        out.append(None if "not assessed" in text else float(text))
    return out


def _page_table(page) -> dict[str, dict[str, str]]:
    """Candidate name → column → cell text, for every row of the matrix on screen."""
    rows = {}
    for row in page.locator("#matrix tbody tr[data-application]").all():
        name = row.locator("th.cand").inner_text().strip()
        cells = {}
        for cell in row.locator("td[data-col]").all():
            cells[cell.get_attribute("data-col")] = cell.inner_text().strip()
        rows[name] = cells
    return rows


def test_hr_compares_and_exports(page, live_server, sign_in, job_id, tmp_path):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    sign_in("hr@demo.test")
    page.goto(f"/jobs/{job_id}/recommendations")
    page.get_by_role("link", name="Compare candidates").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compare candidates")
    expect(page.locator("#matrix tbody tr[data-application]")).to_have_count(12)

    # Sort by technical depth: one click on the column header, highest first.
    page.locator('#matrix thead th[data-col="technical"] a').click()
    page.wait_for_load_state()  # the page's script is in place before the select is used
    expect(page.locator('#matrix thead th[data-col="technical"]')).to_have_attribute(
        "aria-sort", "descending"
    )
    tech = [v for v in _numbers(page, "technical") if v is not None]
    assert len(tech) >= 6 and tech == sorted(tech, reverse=True)

    # Filter to "hire or strong hire": the select applies itself.
    page.get_by_label("Recommendation").select_option("positive")
    expect(page.locator("#matrix tbody tr[data-application]")).to_have_count(3)
    assert "sort=technical" in page.url and "rec=positive" in page.url
    tech = [v for v in _numbers(page, "technical") if v is not None]
    assert tech == sorted(tech, reverse=True)
    shown = _page_table(page)
    assert set(shown) == {"梁宇", "钱芳", "冯超"}

    # Pick the three, compare side by side.
    for name in ("梁宇", "钱芳", "冯超"):
        page.get_by_label(f"Select {name}").check()
    expect(page.locator("#compare-status")).to_contain_text("3 selected")
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Side by side")
    expect(page.locator("#radar")).to_have_attribute("data-rendered", "3")
    assert page.locator("#radar").bounding_box()["height"] > 200
    expect(page.locator("#compare-table")).to_be_visible()
    expect(page.locator("#compare-table thead th")).to_have_count(4)
    assert page.locator("#compare-table td.best").count() > 10
    expect(page.locator("#compare-table .line-criterion").first).to_contain_text("Chen Jing")

    # Back to the matrix (same sort and filter), download both files.
    page.go_back()
    expect(page.locator("#matrix tbody tr[data-application]")).to_have_count(3)
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    csv_path = tmp_path / "matrix.csv"
    info.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert [r[0] for r in rows[1:]] == list(shown)  # same rows, same order as the page
    columns = {
        "Score": "score",
        "Technical depth": "technical",
        "Business understanding": "business",
        "Attitude": "attitude",
        "Etiquette": "etiquette",
        "HR screen": "round-hr_screen",
        "Technical interview": "round-technical",
        "Executive interview": "round-executive",
    }
    for row in rows[1:]:
        for title, col in columns.items():
            assert float(row[header.index(title)]) == float(shown[row[0]][col]), (row[0], title)

    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    xlsx_path = tmp_path / "matrix.xlsx"
    info.value.save_as(xlsx_path)
    wb = load_workbook(xlsx_path)
    ws = wb["Candidates"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "B2"
    names = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert names == list(shown)
    for row in ws.iter_rows(min_row=2):
        name = row[0].value
        for title, col in columns.items():
            assert row[header.index(title)].value == float(shown[name][col]), (name, title)
    assert len(wb.sheetnames) == 4

    # No CSP refusal, no script error, no missing file (a browser asks for /favicon.ico).
    assert not [p for p in problems if "favicon" not in p and "Failed to load" not in p], problems


def test_compare_button_counts_and_the_server_refuses_one(page, live_server, sign_in, job_id):
    sign_in("hr@demo.test")
    page.goto(f"/jobs/{job_id}/matrix")
    page.get_by_label("Select 梁宇").check()
    expect(page.locator("#compare-status")).to_contain_text("1 selected")
    expect(page.locator("#compare-status")).to_contain_text("Pick 2 to 4 candidates")
    # The script holds the form back; the server says the same when it gets one.
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator("#compare-status")).to_have_class(re.compile("error"))
    assert "/compare" not in page.url
    page.goto(f"/jobs/{job_id}/compare?a=1")
    expect(page.get_by_role("alert")).to_contain_text("Choose at least 2 candidates to compare.")
