"""The kit keeps each criterion's rendering (interviews.views._criterion_html): kept by the
criterion's content, the language and the rating chosen, it must follow every edit and
never show one interviewer's rating on another's page. It keeps a version's criteria and
questions too (kit_page.version_texts), by the version's content token: every change to
them renews the token, so the next view shows the change."""

import re

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.interviews import kit_page, views
from scorecard.models import Criterion, Question, ScorecardVersion
from scorecard.models.job import new_content_token
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
    # Changed in the database through the models, as another worker or instance would.
    token = crit.version.content_token
    crit.name_en, crit.anchor2_en = "Renamed criterion 51c0", "A new anchor text 9e1d"
    db.session.commit()
    assert card(kit1.card_id).version.content_token != token
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


def test_a_raw_sql_change_shows_once_it_renews_the_token(kit1: Kit):
    """What a script or a restore does in SQL: the kept rows serve until the token changes."""
    crit = card(kit1.card_id).version.criteria[0]
    version_id = crit.version_id
    assert crit.name_en in kit1.client.get(f"/kit/{kit1.card_id}").text
    db.session.execute(
        sa.update(Criterion).where(Criterion.id == crit.id).values(name_en="Renamed in SQL 7f3a")
    )
    db.session.execute(
        sa.update(ScorecardVersion)
        .where(ScorecardVersion.id == version_id)
        .values(content_token=new_content_token())
    )
    db.session.commit()
    assert "Renamed in SQL 7f3a" in kit1.client.get(f"/kit/{kit1.card_id}").text


def test_questions_added_changed_and_removed_show_on_the_next_view(kit1: Kit):
    version = card(kit1.card_id).version
    first = version.questions[0]
    kit1.client.get(f"/kit/{kit1.card_id}")
    first.text_en, first.text_zh = "A changed question 2b7c", "改过的问题 2b7c"
    version.questions.append(
        Question(
            key="added-q", position=99, text_en="An added question 5d1e", text_zh="新问题 5d1e"
        )
    )
    db.session.commit()
    page = kit1.client.get(f"/kit/{kit1.card_id}").text
    assert "2b7c" in page and "5d1e" in page
    removed = card(kit1.card_id).version.questions[-1]
    db.session.delete(removed)
    db.session.commit()
    assert "5d1e" not in kit1.client.get(f"/kit/{kit1.card_id}").text


def test_the_kept_version_texts_are_read_once(kit1: Kit):
    """A second view of the same version reads no criteria or questions (kit page: 6
    statements when kept, tests/web/test_hot_path_statements.py counts the first)."""
    kit_page.version_texts.cache_clear()
    kit1.client.get(f"/kit/{kit1.card_id}")
    assert kit_page.version_texts.cache_info().misses == 1
    kit1.client.get(f"/kit/{kit1.card_id}")
    info = kit_page.version_texts.cache_info()
    assert (info.misses, info.hits) == (1, 1)
