"""Helpers for the API tests: the trust world, a personal token per actor, JSON calls."""

from dataclasses import dataclass, field

from flask.testing import FlaskClient

from scorecard.extensions import db as _db
from scorecard.services import api_tokens
from tests.web.trust_world import World, build_world


@dataclass
class Api:
    """Calls the API as the world's actors, each with their own personal token."""

    client: FlaskClient
    world: World
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, actor: str) -> str:
        if actor not in self.tokens:
            _row, raw = api_tokens.create_token(self.world.users[actor], f"tests {actor}")
            _db.session.commit()
            self.tokens[actor] = raw
        return self.tokens[actor]

    def call(self, actor: str | None, method: str, path: str, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if actor is not None:
            headers["Authorization"] = f"Bearer {self.token(actor)}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, actor: str | None, path: str, **kwargs):
        return self.call(actor, "GET", path, **kwargs)

    def ok(self, actor: str, path: str, **kwargs) -> dict:
        response = self.get(actor, path, **kwargs)
        assert response.status_code == 200, (path, response.status_code, response.get_json())
        return response.get_json()


def make_api(client: FlaskClient, decisions: bool = True) -> Api:
    """A fresh trust world (tests/web/trust_world.py) and an API caller for its actors.

    Each test module declares its own `api` fixture with it (fixtures imported across
    modules confuse linters and readers alike).
    """
    return Api(client, build_world(decisions=decisions))


def assert_error(response, status: int, code: str | None = None, field: str | None = "-"):
    """The API's error shape, with a message."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "field"} <= set(error)
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    if code is not None:
        assert error["code"] == code, error
    if field != "-":
        assert error["field"] == field, error
    return error
