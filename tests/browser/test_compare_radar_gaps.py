"""The radar chart never draws a dimension that was not assessed as a value (scoring.md S3).

高原 has only the HR screen scored, which has no business criteria: business understanding is
not assessed. Its point is left out, the outline does not cut across the centre, the shape is
not filled, and the legend says "not assessed"; a fully scored candidate keeps a filled shape.
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from scorecard.models import Application, Candidate, Job

pytestmark = pytest.mark.browser


def test_a_dimension_not_assessed_is_a_gap_not_zero(page, demo_data, sign_in, db):
    job_id = db.session.scalar(sa.select(Job.id).where(Job.title_en.like("Medical%")))
    ids = {
        name: db.session.scalar(
            sa.select(Application.id).join(Candidate).where(Candidate.name == name)
        )
        for name in ("高原", "钱芳")
    }
    db.session.rollback()  # hold no read snapshot while the server works
    sign_in("hr@demo.test")
    page.goto(f"/jobs/{job_id}/compare?a={ids['高原']}&a={ids['钱芳']}")
    radar = page.locator("#radar")
    expect(radar).to_have_attribute("data-rendered", "2")
    expect(radar).to_have_attribute("data-gaps", "1")
    state = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById('radar'));
          const scale = chart.scales.r;
          return chart.data.datasets.map((set, i) => ({
            label: set.label,
            fill: set.fill,
            spanGaps: set.spanGaps,
            values: set.data,
            points: chart.getDatasetMeta(i).data.map((p) => ({
              skip: p.skip,
              atCentre: Math.hypot(p.x - scale.xCenter, p.y - scale.yCenter) < 1,
            })),
          }));
        }"""
    )
    labels = page.evaluate("() => Chart.getChart(document.getElementById('radar')).data.labels")
    business = labels.index("Business understanding")
    gao, qian = state
    assert gao["values"][business] is None
    assert gao["points"][business]["skip"] is True  # no point drawn for it
    assert not any(p["atCentre"] for p in gao["points"])  # nothing drawn as 0 at the centre
    assert gao["spanGaps"] is False and gao["fill"] is False
    assert gao["label"] == "高原 (not assessed: Business understanding)"
    assert None not in qian["values"] and qian["fill"] is True and qian["label"] == "钱芳"
    # The table says the same in words.
    row = page.locator('#compare-table tr.line-dimension[data-key="business"]')
    expect(row.locator("td").first).to_contain_text("not assessed")
