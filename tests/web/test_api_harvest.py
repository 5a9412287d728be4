"""The Greenhouse Harvest export: `format=harvest` is Harvest v3's flat scorecard object,
`format=harvest_v1` the retired v1 object, field by field and enum value by enum value.

v1 reference shape (Harvest API, "The scorecard object"): id, interview, interview_step {id,
name}, candidate_id, application_id, interviewed_at, submitted_at, submitted_by and
interviewer {id, first_name, last_name, name, employee_id}, overall_recommendation
(definitely_not | no | yes | strong_yes | no_decision), attributes [{name, type, note,
rating}], ratings {definitely_not, no, mixed, yes, strong_yes}: [names], questions
[{id, question, answer}].
"""

import re

import pytest

from scorecard.extensions import db as _db
from scorecard.i18n import bilingual_text
from scorecard.models import Rating, StarEvidence
from tests.web.api_support import make_api


@pytest.fixture
def api(client):
    return make_api(client)


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
RATING_WORDS = {"definitely_not", "no", "mixed", "yes", "strong_yes"}
ATTRIBUTE_RATINGS = RATING_WORDS | {"no_decision"}
OVERALL = {"definitely_not", "no", "yes", "strong_yes", "no_decision"}
USER_KEYS = {"id", "first_name", "last_name", "name", "employee_id"}
TOP_KEYS = {
    "id",
    "interview",
    "interview_step",
    "candidate_id",
    "application_id",
    "interviewed_at",
    "submitted_at",
    "submitted_by",
    "interviewer",
    "overall_recommendation",
    "attributes",
    "ratings",
    "questions",
    "created_at",
    "updated_at",
}


def _vary_the_submitted_card(world):
    """Give the submitted card one of each scale point, a not-assessed one, and no overall."""
    card = world.scopes["own"].submitted_card
    ratings = sorted(card.ratings, key=lambda r: r.criterion.position)
    values = [1, 2, 3, 4, None]
    for rating, value in zip(ratings, values, strict=False):
        rating.value = value
    card.overall = None
    _db.session.commit()
    return card, {r.criterion_id: r.value for r in ratings}


def _check_user(obj, user):
    assert set(obj) == USER_KEYS
    assert obj["id"] == user.id and obj["name"] == user.name
    assert f"{obj['first_name']} {obj['last_name']}".strip() == user.name
    assert obj["employee_id"] is None


def test_harvest_export_has_the_greenhouse_shape(api):
    own = api.world.scopes["own"]
    card, values = _vary_the_submitted_card(api.world)
    export = api.ok("manager", f"/applications/{own.application.id}/scorecards?format=harvest_v1")
    assert isinstance(export, list) and len(export) == 1  # submitted scorecards only
    sc = export[0]
    assert set(sc) == TOP_KEYS
    assert sc["id"] == card.id
    assert sc["candidate_id"] == own.candidate.id and sc["application_id"] == own.application.id
    rnd = own.interview.round
    assert sc["interview"] == rnd.name_en
    assert sc["interview_step"] == {"id": rnd.id, "name": rnd.name_en}
    for key in ("interviewed_at", "submitted_at", "created_at", "updated_at"):
        assert ISO.match(sc[key]), (key, sc[key])
    assert sc["interviewed_at"].startswith(own.interview.starts_at.isoformat()[:16])
    peer = card.interviewer
    _check_user(sc["submitted_by"], peer)
    _check_user(sc["interviewer"], peer)
    assert sc["overall_recommendation"] == "no_decision" and sc["overall_recommendation"] in OVERALL

    # Attributes: every criterion of the card's version, in order, with Harvest's words.
    criteria = card.version.criteria
    assert [a["name"] for a in sc["attributes"]] == [c.name_en for c in criteria]
    words = {1: "definitely_not", 2: "no", 3: "yes", 4: "strong_yes", None: "no_decision"}
    for attribute, crit in zip(sc["attributes"], criteria, strict=True):
        assert set(attribute) == {"name", "type", "note", "rating"}
        assert attribute["rating"] in ATTRIBUTE_RATINGS
        assert attribute["rating"] == words[values.get(crit.id)]
        assert attribute["type"] in {
            "Technical depth",
            "Business understanding",
            "Attitude",
            "Etiquette",
        }
        note = _db.session.get(
            Rating, next(r.id for r in card.ratings if r.criterion_id == crit.id)
        )
        assert attribute["note"] == (note.note or None)

    # Ratings: names by word; "mixed" stays empty; not assessed is left out.
    assert set(sc["ratings"]) == RATING_WORDS
    assert sc["ratings"]["mixed"] == []
    by_word: dict[str, list[str]] = {w: [] for w in RATING_WORDS}
    for crit in criteria:
        value = values.get(crit.id)
        if value is not None:
            by_word[words[value]].append(crit.name_en)
    assert sc["ratings"] == by_word
    unrated = next(c.name_en for c in criteria if values.get(c.id) is None)
    assert all(unrated not in names for names in sc["ratings"].values())
    for word in ("definitely_not", "no", "yes", "strong_yes"):
        assert sc["ratings"][word], word  # the varied card has one of each

    # Questions: Harvest's take-aways, then each STAR answer.
    questions = sc["questions"]
    assert all(set(q) == {"id", "question", "answer"} for q in questions)
    assert questions[0] == {"id": None, "question": "Key Take-Aways", "answer": card.takeaways}
    star = [q for q in questions if q["id"] is not None]
    evidence = [e for e in card.star_evidence if isinstance(e, StarEvidence)]
    assert len(star) == len(evidence) > 0
    for q in star:
        question = next(e.question for e in evidence if e.question_id == q["id"])
        assert q["question"] == bilingual_text(question, "text")
        for part in ("Situation (S)", "Task (T)", "Action (A)", "Result (R)"):
            assert f"{part}: " in q["answer"]


def test_overall_maps_onto_harvest_words(api):
    own = api.world.scopes["own"]
    card = own.submitted_card
    path = f"/applications/{own.application.id}/scorecards?format=harvest_v1"
    for value, word in ((1, "definitely_not"), (2, "no"), (3, "yes"), (4, "strong_yes")):
        card.overall = value
        _db.session.commit()
        assert api.ok("hr", path)[0]["overall_recommendation"] == word


def test_names_are_never_split_at_a_space(api):
    from scorecard.api.harvest import harvest_user
    from scorecard.models import User

    for name in ("陈静 Chen Jing", "Mary Jane Watson", "张伟"):
        person = harvest_user(User(id=1, name=name))
        assert person["name"] == name and person["first_name"] == name
        assert person["last_name"] == ""


V3_KEYS = {
    "id",
    "application_id",
    "candidate_id",
    "interview_id",
    "interview_step_id",
    "interviewer_id",
    "submitted_by_id",
    "interviewed_at",
    "submitted_at",
    "created_at",
    "updated_at",
    "overall_recommendation",
    "attributes",
    "questions",
}


def test_harvest_v3_is_flat_with_ids(api):
    own = api.world.scopes["own"]
    card, values = _vary_the_submitted_card(api.world)
    export = api.ok("manager", f"/applications/{own.application.id}/scorecards?format=harvest")
    assert isinstance(export, list) and len(export) == 1
    sc = export[0]
    assert set(sc) == V3_KEYS
    assert sc["id"] == card.id and sc["application_id"] == own.application.id
    assert sc["candidate_id"] == own.candidate.id and sc["interview_id"] == own.interview.id
    assert sc["interview_step_id"] == own.interview.round_id
    assert sc["interviewer_id"] == sc["submitted_by_id"] == card.interviewer_id
    for key in ("interviewed_at", "submitted_at", "created_at", "updated_at"):
        assert ISO.match(sc[key]), (key, sc[key])
    assert sc["overall_recommendation"] == "no_decision"
    words = {1: "definitely_not", 2: "no", 3: "yes", 4: "strong_yes", None: "no_decision"}
    criteria = card.version.criteria
    assert [a["name"] for a in sc["attributes"]] == [c.name_en for c in criteria]
    for attribute, crit in zip(sc["attributes"], criteria, strict=True):
        assert set(attribute) == {"name", "type", "note", "rating"}
        assert attribute["rating"] == words[values.get(crit.id)]
    questions = sc["questions"]
    assert all(set(q) == {"question_id", "question", "answer"} for q in questions)
    assert questions[0]["question"] == "Key Take-Aways"
    # No embedded people (v3 refers to users by id) and so no name to split.
    raw = str(sc)
    assert card.interviewer.name not in raw and "first_name" not in raw
    # A blind caller (a panelist with a draft) gets the same answer as the other formats.
    blind = api.ok(
        "interviewer_panel", f"/applications/{own.application.id}/scorecards?format=harvest"
    )
    assert blind == []
