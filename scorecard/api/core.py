"""The API's machinery: bearer-token sign-in, request validation, JSON errors, operations.

Every operation is declared once with `operation(...)`: its URL, the pydantic models of its
query string, body and answer. The same declaration validates the request, checks the answer
and feeds the OpenAPI document (scorecard/api/openapi.py), so the document cannot drift from
what the code accepts.

Authentication is `Authorization: Bearer <personal token>` only. Session cookies are ignored
here (this blueprint is CSRF-exempt for exactly that reason): a page on another origin that
makes the browser send our cookies gets nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.routing import BaseConverter

from scorecard.extensions import db
from scorecard.models import User
from scorecard.services import api_tokens
from scorecard.services.errors import DomainError

bp = Blueprint("api", __name__)

ID_MAX = 2**31 - 1  # the databases' INTEGER: a larger id can exist nowhere
URL_ARG = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


class IdConverter(BaseConverter):
    """`<id:name>`: a positive id that fits the databases' INTEGER; anything else is a 404."""

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            from werkzeug.routing import ValidationError as RoutingValidationError

            raise RoutingValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class ApiError(Exception):
    """An answer in the error shape: {"error": {"code", "message", "field", ...}}."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def response(self) -> Response:
        return error_response(self.status, self.code, self.message, self.field, **self.extra)


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> Response:
    """The API's error answer."""
    response = jsonify(error={"code": code, "message": message, "field": field, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="scorecard"'
    return response


def not_found() -> ApiError:
    """A 404 that never says whether the thing exists (it may just not be yours to see)."""
    return ApiError(404, "not_found", _("This does not exist or is not yours to see."))


# --- who is calling ---------------------------------------------------------------------------


def authenticate() -> User:
    """The token's owner; ApiError 401 without a valid, active bearer token."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise ApiError(
            401,
            "unauthorized",
            _(
                "Send a personal API token in the header Authorization: Bearer <token>. "
                "Create one under Settings → API tokens."
            ),
        )
    match = api_tokens.find(raw)
    user = None
    if match is None:
        db.session.rollback()
    else:
        # End the read, so that the stamp starts as a write of its own: a read request
        # never holds a write lock for long. A busy database must not refuse the request:
        # the stamp is a convenience.
        db.session.commit()
        if match.stamp_due:
            try:
                api_tokens.stamp(match)
                db.session.commit()
            except OperationalError:
                db.session.rollback()
        user = api_tokens.owner(match)
    if user is None:
        raise ApiError(
            401,
            "invalid_token",
            _("This API token is unknown or revoked, or its user is deactivated."),
        )
    return user


def api_locale(user: User | None) -> str:
    """The language of messages: the user's choice, else Accept-Language, else English."""
    if user is not None and user.locale in ("zh_CN", "en"):
        return user.locale
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    return "zh_CN" if best in ("zh_CN", "zh") else "en"


# --- validation errors in words ----------------------------------------------------------------


def _limit(ctx: dict[str, Any], *keys: str) -> str:
    for key in keys:
        if key in ctx:
            return str(ctx[key])
    return "?"


def problem_message(error: dict[str, Any]) -> str:
    """One pydantic error as a short, translated sentence."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field: it is not part of this request.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Must be a whole number.")
    if kind in ("string_type", "string_unicode"):
        return _("Must be text.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Must be true or false.")
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(limit)s.", limit=_limit(ctx, "le", "lt"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(limit)s.", limit=_limit(ctx, "ge", "gt"))
    if kind == "string_too_long":
        return _("Too long: at most %(limit)s characters.", limit=_limit(ctx, "max_length"))
    if kind == "string_too_short":
        return _("Too short: at least %(limit)s characters.", limit=_limit(ctx, "min_length"))
    if kind == "too_long":
        return _("Too many items: at most %(limit)s.", limit=_limit(ctx, "max_length"))
    if kind == "too_short":
        return _("Too few items: at least %(limit)s.", limit=_limit(ctx, "min_length"))
    if kind in ("literal_error", "enum"):
        return _("Must be one of: %(choices)s.", choices=_limit(ctx, "expected"))
    if kind.startswith(("datetime", "date_", "timezone")):
        return _("Must be a date and time in ISO 8601, e.g. 2026-01-31T09:00:00Z.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Must be a JSON object.")
    if kind == "string_pattern_mismatch":
        return _("Has the wrong format.")
    if kind == "field_value":
        return _("Must be a whole number, text, true/false or null.")
    if kind == "invalid_key":
        return str(error.get("msg", ""))
    return _("This value is not valid.")


def _location(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p != "[key]"]
    return ".".join(parts) or None


def validation_error(exc: ValidationError, where: str) -> ApiError:
    """A 422 naming the first field at fault, with every problem listed."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error.get("loc") or ())
        # A bad key of the `changes` map: name the key itself, as the scorecard service does.
        if "[key]" in loc and len(loc) >= 2:
            loc = loc[:-2] + (loc[-2],)
        problems.append({"field": _location(loc), "message": problem_message(error)})
    first = problems[0] if problems else {"field": None, "message": _("This value is not valid.")}
    if first["field"]:
        message = _(
            "%(where)s %(field)s: %(problem)s",
            where=where,
            field=first["field"],
            problem=first["message"],
        )
    else:
        message = _("%(where)s: %(problem)s", where=where, problem=first["message"])
    return ApiError(422, "invalid", message, first["field"], problems=problems)


# --- operations ---------------------------------------------------------------------------------


@dataclass
class Operation:
    """One API operation as declared: what it takes, what it answers, who may call it."""

    name: str
    method: str
    rule: str
    summary: str
    tag: str
    response: Any
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    public: bool = False
    who: str = ""
    description: str = ""
    content_type: str = "application/json"
    adapter: TypeAdapter | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        """The OpenAPI path: `<id:job_id>` → `{job_id}`."""
        return "/api/v1" + URL_ARG.sub(r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return URL_ARG.findall(self.rule)

    @property
    def error_statuses(self) -> tuple[int, ...]:
        statuses = set(self.errors)
        if not self.public:
            statuses.add(401)
        if self.path_params:
            statuses.add(404)
        if self.query is not None:
            statuses.add(422)
        if self.body is not None:
            statuses.update((400, 422))
        return tuple(sorted(statuses))


OPERATIONS: list[Operation] = []


@dataclass
class Call:
    """What an operation's function receives: the user, the parsed query, the body on demand."""

    user: User
    query: Any
    body_model: type[BaseModel] | None

    def body(self) -> Any:
        """Parse and validate the JSON body (called after the resource is authorised)."""
        assert self.body_model is not None
        return parse_body(self.body_model)


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string; unknown parameters are refused, not ignored."""
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as exc:
        raise validation_error(exc, _("Query parameter")) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate a JSON body: malformed JSON is a 400, a body of the wrong shape a 422."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
        # Lone surrogates parse but cannot be stored (or even encoded): refuse them here.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError):
        raise ApiError(400, "bad_json", _("The request body is not valid JSON (UTF-8).")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", _("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, _("Field")) from None


def operation(
    method: str,
    rule: str,
    *,
    summary: str,
    tag: str,
    response: Any,
    status: int = 200,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    public: bool = False,
    who: str = "",
) -> Callable:
    """Declare an API operation and register its view on the blueprint."""

    def decorator(fn: Callable) -> Callable:
        op = Operation(
            name=fn.__name__,
            method=method,
            rule=rule,
            summary=summary,
            tag=tag,
            response=response,
            status=status,
            query=query,
            body=body,
            errors=errors,
            public=public,
            who=who,
            description=(fn.__doc__ or "").strip(),
            adapter=TypeAdapter(response) if response is not None else None,
        )
        OPERATIONS.append(op)

        @wraps(fn)
        def view(**kwargs: Any) -> Response:
            user: User | None = None
            # Until the token is known, messages follow Accept-Language (never a cookie).
            with force_locale(api_locale(None)):
                try:
                    if not public:
                        user = authenticate()
                except ApiError as exc:
                    return no_store(exc.response())
            with force_locale(api_locale(user)):
                try:
                    parsed = parse_query(query) if query is not None else None
                    result = fn(Call(user, parsed, body), **kwargs)  # type: ignore[arg-type]
                except ApiError as exc:
                    db.session.rollback()
                    return no_store(exc.response())
                except DomainError as exc:
                    db.session.rollback()
                    return no_store(
                        error_response(422, getattr(exc, "code", "invalid"), exc.message, exc.field)
                    )
                if isinstance(result, Response):
                    return no_store(result)
                return no_store(answer(op, result))

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return fn

    return decorator


def answer(op: Operation, result: Any) -> Response:
    """Check the result against the declared model and send it as JSON."""
    assert op.adapter is not None
    value = op.adapter.validate_python(result)
    response = jsonify(op.adapter.dump_python(value, mode="json"))
    response.status_code = op.status
    return response


def no_store(response: Response) -> Response:
    """API answers carry personal data: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


# --- small shared helpers ------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """Naive UTC → ISO 8601 with a Z."""
    return value.isoformat() + "Z" if value is not None else None
