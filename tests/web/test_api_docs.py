"""The OpenAPI 3.1 document and the human-readable API page."""

import re

from flask import url_for

from scorecard.api.core import OPERATIONS


def test_document_is_openapi_31_and_covers_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.docs_page":
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((method, path))
    assert routes == documented
    for path, item in doc["paths"].items():
        for method, op in item.items():
            statuses = set(op["responses"])
            if op["security"]:
                assert "401" in statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            if "requestBody" in op:
                assert {"400", "422"} <= statuses
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[-1]
                schema = doc["components"]["schemas"][name]
                assert schema["additionalProperties"] is False  # unknown fields refused
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith(
                        "/Error"
                    )
    per_page = next(
        p for p in doc["paths"]["/api/v1/jobs"]["get"]["parameters"] if p["name"] == "per_page"
    )
    assert per_page["schema"]["maximum"] == 500


def test_document_comes_from_the_validating_models(app):
    from scorecard.api.openapi import build_document
    from scorecard.api.schemas import AutosaveIn

    with app.test_request_context():
        doc = build_document()
    assert doc["components"]["schemas"]["AutosaveIn"] == AutosaveIn.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    assert len(OPERATIONS) == sum(len(item) for item in doc["paths"].values())


def test_api_page_lists_every_operation_and_schema_without_script(app, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script at all
    for op in OPERATIONS:
        assert f'id="op-{op.name}"' in html, op.name
        assert op.path in html
    for name in ("ScorecardOut", "HarvestScorecard", "Error", "AutosaveIn"):
        assert f'id="schema-{name}"' in html
    # The Harvest mapping, documented on the page.
    for word in ("definitely_not", "strong_yes", "no_decision", "mixed"):
        assert word in html
    with app.test_request_context():
        assert url_for("api.openapi_document") in html


def test_api_page_in_chinese(client):
    response = client.get("/api/v1/docs", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.get_data(as_text=True)
