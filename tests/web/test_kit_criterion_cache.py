"""The kit keeps each criterion's rendering (interviews.views._criterion_html): kept by the
criterion's content, the language and the rating chosen, it must follow every edit and
never show one interviewer's rating on another's page."""

import re

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.interviews import views
from scorecard.models import Criterion
from tests.web import kit_support
from tests.web.kit_support import Kit, card, card_of, sign_in

demo = kit_support.demo
kit1 = kit_support.kit1


def _checked(page: str, crit_id: int) -> list[str]:
    return re.findall(rf'name="rating-{crit_id}" value="(\w+)"[^>]*checked', page)


def test_an_edited_criterion_shows_its_new_text_on_the_next_view(kit1: Kit):
    crit = card(kit1.card_id).version.criteria[0]
    crit_id, old_name = crit.id, crit.name_en
    first = kit1.client.get(f"/kit/{kit1.card_id}", headers={"Accept-Language": "en"}).text
    assert old_name in first
    # Changed in the database, as another worker or instance (or a restore) would.
    db.session.execute(
        sa.update(Criterion)
        .where(Criterion.id == crit_id)
        .values(name_en="Renamed criterion 51c0", anchor2_en="A new anchor text 9e1d")
    )
    db.session.commit()
    page = kit1.client.get(f"/kit/{kit1.card_id}", headers={"Accept-Language": "en"}).text
    assert "Renamed criterion 51c0" in page and "A new anchor text 9e1d" in page
    assert f'id="criterion-{crit_id}-name">{old_name}<' not in page


def test_the_rating_shown_follows_each_save(kit1: Kit):
    crit_id = card(kit1.card_id).version.criteria[1].id
    for value, shown in ((4, "4"), (2, "2"), (None, "na")):
        assert kit1.save({f"rating.{crit_id}.value": value}).status_code == 200
        page = kit1.client.get(f"/kit/{kit1.card_id}").text
        assert _checked(page, crit_id) == [shown]


def test_one_interviewers_rating_never_shows_on_anothers_page(client, demo):
    """interviewer1's draft and interviewer2's scorecard share a version: each page shows
    only its own rating of the same criterion, whichever was rendered first."""
    mine = card_of("interviewer1", "郑洁", "technical")
    theirs = card_of("interviewer2", "郑洁", "technical")
    assert mine.version_id == theirs.version_id
    theirs_by_criterion = {r.criterion_id: r.value for r in theirs.ratings}
    crit_id = next(c for c, v in theirs_by_criterion.items() if v is not None)
    expected = str(theirs_by_criterion[crit_id])
    mine_id, theirs_id = mine.id, theirs.id
    views._criterion_html.cache_clear()
    token = sign_in(client, "interviewer2@demo.test")
    assert _checked(client.get(f"/kit/{theirs_id}").text, crit_id) == [expected]
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "interviewer1@demo.test")
    other = {"1": 2, "2": 3, "3": 4, "4": 1}[expected]
    kit = Kit(client, token, mine_id)
    assert kit.save({f"rating.{crit_id}.value": other}).status_code == 200
    assert _checked(client.get(f"/kit/{mine_id}").text, crit_id) == [str(other)]
