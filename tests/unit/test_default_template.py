"""Validation of the seeded default scorecard template (plain JSON, no app needed)."""

import json
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "scorecard" / "seed" / "default_template.json"

LANGS = ("zh", "en")
DIMENSIONS = {"technical", "business", "attitude", "etiquette"}
ROUND_KEYS = ["hr_screen", "technical", "executive"]
RED_FLAG_KEYS = {
    "tech_only",
    "no_project_detail",
    "negative_attitude",
    "no_company_research",
    "etiquette_lapse",
}
ANCHOR_POINTS = {"1", "2", "3", "4"}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
HAN = re.compile(r"[\u4e00-\u9fff]")

ROUND_FIELDS = {"key", "weight", "name", "focus", "criteria", "questions"}
CRITERION_FIELDS = {
    "key",
    "dimension",
    "weight",
    "must_have",
    "veto",
    "name",
    "description",
    "anchors",
}
QUESTION_FIELDS = {"key", "criterion", "star", "text", "guidance"}
RED_FLAG_FIELDS = {"key", "label", "description"}


@pytest.fixture(scope="module")
def template() -> dict:
    raw = TEMPLATE_PATH.read_text(encoding="utf-8")
    return json.loads(raw)


def _rounds(template: dict) -> list[dict]:
    return template["rounds"]


def _criteria(template: dict) -> list[tuple[str, dict]]:
    return [(r["key"], c) for r in template["rounds"] for c in r["criteria"]]


def _questions(template: dict) -> list[tuple[str, dict]]:
    return [(r["key"], q) for r in template["rounds"] for q in r["questions"]]


def assert_bilingual(value: object, where: str) -> None:
    assert isinstance(value, dict), f"{where}: expected a {{zh, en}} object"
    assert set(value) == set(LANGS), f"{where}: keys {sorted(value)} != {list(LANGS)}"
    for lang in LANGS:
        text = value[lang]
        assert isinstance(text, str), f"{where}.{lang}: not a string"
        assert text.strip(), f"{where}.{lang}: empty"
    assert HAN.search(value["zh"]), f"{where}.zh: contains no Chinese"


def assert_positive_number(value: object, where: str) -> None:
    assert isinstance(value, int | float) and not isinstance(value, bool), f"{where}: not a number"
    assert value > 0, f"{where}: must be positive"


def _walk_strings(node: object, path: str = "$"):
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _walk_strings(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk_strings(child, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def test_file_is_utf8_with_two_space_indent_and_unescaped_chinese() -> None:
    raw = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert "医疗软件实施工程师" in raw, "Chinese must be stored unescaped (ensure_ascii=False)"
    assert "\\u" not in raw
    assert raw.splitlines()[1].startswith('  "job"'), "expected 2-space indentation"


def test_top_level_keys(template: dict) -> None:
    assert set(template) == {"job", "rounds", "red_flags"}
    assert isinstance(template["rounds"], list)
    assert isinstance(template["red_flags"], list)


def test_job(template: dict) -> None:
    job = template["job"]
    assert set(job) == {"title", "description"}
    assert job["title"] == {
        "zh": "医疗软件实施工程师",
        "en": "Medical Software Implementation Engineer",
    }
    assert_bilingual(job["description"], "job.description")


def test_no_empty_strings_anywhere(template: dict) -> None:
    for path, text in _walk_strings(template):
        assert text.strip(), f"{path} is empty"


def test_rounds_order_names_and_fields(template: dict) -> None:
    rounds = _rounds(template)
    assert [r["key"] for r in rounds] == ROUND_KEYS
    assert [r["name"] for r in rounds] == [
        {"zh": "HR初筛", "en": "HR screen"},
        {"zh": "技术面", "en": "Technical interview"},
        {"zh": "高管面", "en": "Executive interview"},
    ]
    for r in rounds:
        where = f"rounds[{r['key']}]"
        assert set(r) == ROUND_FIELDS, where
        assert_positive_number(r["weight"], f"{where}.weight")
        assert_bilingual(r["name"], f"{where}.name")
        assert_bilingual(r["focus"], f"{where}.focus")
        assert isinstance(r["criteria"], list)
        assert isinstance(r["questions"], list)


def test_technical_round_weighs_most(template: dict) -> None:
    weights = {r["key"]: r["weight"] for r in _rounds(template)}
    assert weights["technical"] == max(weights.values())


@pytest.mark.parametrize("round_key", ROUND_KEYS)
def test_round_has_four_to_seven_criteria_with_unique_keys(template: dict, round_key: str) -> None:
    (r,) = [r for r in _rounds(template) if r["key"] == round_key]
    keys = [c["key"] for c in r["criteria"]]
    assert 4 <= len(keys) <= 7
    assert len(keys) == len(set(keys)), f"duplicate criterion keys in {round_key}"


@pytest.mark.parametrize("round_key", ROUND_KEYS)
def test_round_has_three_to_five_questions_with_unique_keys(template: dict, round_key: str) -> None:
    (r,) = [r for r in _rounds(template) if r["key"] == round_key]
    keys = [q["key"] for q in r["questions"]]
    assert 3 <= len(keys) <= 5
    assert len(keys) == len(set(keys)), f"duplicate question keys in {round_key}"


def test_criteria_schema(template: dict) -> None:
    for round_key, c in _criteria(template):
        where = f"{round_key}.{c.get('key')}"
        assert set(c) == CRITERION_FIELDS, where
        assert isinstance(c["key"], str) and SNAKE_CASE.match(c["key"]), where
        assert c["dimension"] in DIMENSIONS, f"{where}: dimension {c['dimension']!r}"
        assert_positive_number(c["weight"], f"{where}.weight")
        assert isinstance(c["must_have"], bool), f"{where}.must_have"
        assert isinstance(c["veto"], bool), f"{where}.veto"
        assert_bilingual(c["name"], f"{where}.name")
        assert_bilingual(c["description"], f"{where}.description")


def test_every_criterion_has_four_distinct_anchors(template: dict) -> None:
    for round_key, c in _criteria(template):
        where = f"{round_key}.{c['key']}.anchors"
        anchors = c["anchors"]
        assert isinstance(anchors, dict), where
        assert set(anchors) == ANCHOR_POINTS, where
        for point, text in anchors.items():
            assert_bilingual(text, f"{where}.{point}")
        for lang in LANGS:
            texts = [anchors[p][lang] for p in sorted(ANCHOR_POINTS)]
            assert len(set(texts)) == 4, f"{where}: anchors repeat in {lang}"


def test_all_four_dimensions_are_used(template: dict) -> None:
    assert {c["dimension"] for _, c in _criteria(template)} == DIMENSIONS


def test_every_round_has_a_must_have(template: dict) -> None:
    for r in _rounds(template):
        assert any(c["must_have"] for c in r["criteria"]), f"{r['key']} has no must-have"


def test_exactly_one_veto_criterion_integrity_in_executive(template: dict) -> None:
    vetoes = [(round_key, c) for round_key, c in _criteria(template) if c["veto"]]
    assert len(vetoes) == 1
    round_key, criterion = vetoes[0]
    assert round_key == "executive"
    assert criterion["key"] == "integrity"
    assert criterion["dimension"] == "attitude"


def test_questions_schema_and_criterion_references(template: dict) -> None:
    for r in _rounds(template):
        criterion_keys = {c["key"] for c in r["criteria"]}
        for q in r["questions"]:
            where = f"{r['key']}.questions.{q.get('key')}"
            assert set(q) == QUESTION_FIELDS, where
            assert isinstance(q["key"], str) and SNAKE_CASE.match(q["key"]), where
            assert q["criterion"] in criterion_keys, f"{where}: unknown criterion"
            assert isinstance(q["star"], bool), f"{where}.star"
            assert_bilingual(q["text"], f"{where}.text")
            assert_bilingual(q["guidance"], f"{where}.guidance")


def test_question_keys_unique_across_template(template: dict) -> None:
    keys = [q["key"] for _, q in _questions(template)]
    assert len(keys) == len(set(keys))


def test_at_least_three_star_questions(template: dict) -> None:
    assert sum(1 for _, q in _questions(template) if q["star"]) >= 3


def test_guide_frequent_questions_are_present(template: dict) -> None:
    by_key = {q["key"]: (round_key, q) for round_key, q in _questions(template)}
    round_key, _ = by_key["self_intro"]
    assert round_key == "hr_screen"
    for key in ("unhappy_clinician", "data_security_view"):
        assert key in by_key
    round_key, go_live = by_key["go_live_project"]
    assert round_key == "technical"
    assert go_live["star"] is True
    assert "STAR" in go_live["guidance"]["zh"]
    assert "STAR" in go_live["guidance"]["en"]


def test_red_flags(template: dict) -> None:
    flags = template["red_flags"]
    keys = [f["key"] for f in flags]
    assert len(keys) == len(set(keys)) == 5
    assert set(keys) == RED_FLAG_KEYS
    for f in flags:
        assert set(f) == RED_FLAG_FIELDS, f["key"]
        assert_bilingual(f["label"], f"red_flags.{f['key']}.label")
        assert_bilingual(f["description"], f"red_flags.{f['key']}.description")
