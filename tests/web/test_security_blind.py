"""R2: blind until submitted — over HTTP only, through every page that exists.

Another panel member's submitted scorecard carries marker strings in every free text (rating
notes, take-aways, STAR fields). The interviewer who has not submitted yet requests every GET
route with every real id substituted (both jobs, every scorecard), follows every link found,
probes the scorecard write routes with the other member's ids, and reads every GET of the
bearer-token API with every id: no answer — page, JSON, export or error — may contain a marker.
"""

import html as html_lib
import io
import itertools
import re
import zipfile

import pytest

from scorecard.services import scorecards as card_service
from tests.web.trust_figures import report
from tests.web.trust_world import build_world, marker, sign_in

TEXT_KINDS = ("note", "takeaway", "situation", "task", "action", "result")
HREF = re.compile(r"""(?:href|action|data-[a-z-]*url)=["']([^"']+)["']""")
PAGE_LIMIT = 600


def _markers(scope: str) -> list[str]:
    return [marker(kind, scope) for kind in TEXT_KINDS]


def _id_choices(world) -> dict[str, list[int]]:
    """Every real id for every URL argument: both jobs, and every scorecard of each panel."""
    from tests.web.trust_world import url_values

    choices: dict[str, set[int]] = {}
    for scope in ("own", "other"):
        for name, value in url_values(world, scope).items():
            choices.setdefault(name, set()).add(value)
        s = world.scopes[scope]
        for name in ("card_id", "scorecard_id"):
            choices.setdefault(name, set()).update({s.draft_card.id, s.submitted_card.id})
    return {k: sorted(v) for k, v in choices.items()}


def _seed_urls(app, world, methods=("GET",), extra=None) -> list[tuple[str, str]]:
    """(endpoint, URL) for every route × every real id (`extra`: more ids per argument)."""
    from flask import url_for

    choices = _id_choices(world)
    for name, ids in (extra or {}).items():
        choices[name] = sorted({*choices.get(name, []), *ids})
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or not set(methods) & set(rule.methods):
                continue
            args = sorted(rule.arguments)
            missing = [a for a in args if a not in choices]
            assert not missing, f"{rule.endpoint}: add ids for {missing} to trust_world"
            for combo in itertools.product(*(choices[a] for a in args)):
                out.append(
                    (rule.endpoint, url_for(rule.endpoint, **dict(zip(args, combo, strict=True))))
                )
    return sorted(set(out))


def readable(response) -> str:
    """The answer's text; for an XLSX workbook or a ZIP, the text of every file inside it
    (compressed bytes would hide a marker from a plain search)."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                f"[{name}]\n" + archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
            )
    return data.decode("utf-8", "replace")  # an icon or a file too


def crawl(client, seeds: list[str], limit: int = PAGE_LIMIT) -> dict[str, str]:
    """GET every seed and every same-site link found, once; returns url → headers + body
    (the contents of XLSX and ZIP downloads, see `readable`)."""
    seen: dict[str, str] = {}
    queue = list(seeds)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith("/static/"):
            continue
        response = client.get(url)
        body = readable(response)
        seen[url] = f"{response.status_code}\n{response.headers}\n{body}"
        if response.mimetype == "text/html":
            for link in HREF.findall(body):
                link = html_lib.unescape(link).split("#")[0]
                if link.startswith("/") and not link.startswith("//") and link not in seen:
                    queue.append(link)
    return seen


def _hits(pages: dict[str, str], markers: list[str]) -> list[str]:
    return [f"{url}: {m}" for url, text in pages.items() for m in markers if m in text]


def _probe_writes(app, client, world) -> dict[str, str]:
    """POST to every scorecard route with every card id: answers and errors included."""
    token_page = client.get("/my/interviews").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', token_page).group(1)
    out = {}
    crit = world.scopes["own"].submitted_card.version.criteria[0].id
    for endpoint, url in _seed_urls(app, world, methods=("POST",)):
        if "card_id" not in url and not endpoint.startswith("interviews."):
            continue
        for body in ({}, {"lock_version": 1, "changes": {f"rating.{crit}.note": "x"}}):
            response = client.post(url, json=body, headers={"X-CSRFToken": token})
            out[f"POST {url} {body}"] = f"{response.status_code}\n{response.get_data(True)}"
    return out


def _probe_api(app, world, actor: str, extra=None) -> dict[str, str]:
    """Every GET of the bearer-token API, with every id, as `actor` holding a token."""
    try:
        from scorecard.services import api_tokens
    except ImportError:  # no API yet
        return {}
    with app.test_request_context():
        _token, raw = api_tokens.create_token(world.users[actor], "blind probe")
        from scorecard.extensions import db as _db

        _db.session.commit()
    c = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    out = {}
    for _endpoint, url in _seed_urls(app, world, extra=extra):
        if url.startswith("/api/"):
            response = c.get(url, headers=headers)
            out[f"API {url}"] = f"{response.status_code}\n{response.get_data(True)}"
    assert any(v.startswith("200") for v in out.values()), "the API answered nothing"
    return out


@pytest.fixture
def world(app, db):
    return build_world()


def test_blind_until_submitted_over_every_route(app, client, db, world, request):
    own_markers, other_markers = _markers("own"), _markers("other")
    seeds = [url for _e, url in _seed_urls(app, world)]
    total_pages = 0
    leaks: list[str] = []
    for actor in ("interviewer_panel", "interviewer_off_panel"):
        c = sign_in(app, world.users[actor])
        pages = crawl(c, seeds)
        pages.update(_probe_writes(app, c, world))
        pages.update(_probe_api(app, world, actor))
        total_pages += len(pages)
        leaks += [f"{actor}: {hit}" for hit in _hits(pages, own_markers + other_markers)]

    # The check can fail: the author sees their own texts on these very routes.
    author = sign_in(app, world.users["interviewer_submitted"])
    own_view = crawl(author, seeds)
    assert _hits(own_view, own_markers), "the crawler never reached the scorecard texts"
    assert not _hits(own_view, other_markers)

    report(
        request.config,
        "R2",
        f"R2: {total_pages} answers to interviewers who have not submitted "
        f"(pages, JSON, bearer API, errors; {len(seeds)} seed URLs): "
        f"{len(leaks)} with another's text",
    )
    assert not leaks, "\n".join(leaks[:40])


def test_after_submitting_the_panel_member_may_see_the_others(app, client, db, world):
    """The other side of the rule: once one's own scorecard is in, the panel's are visible."""
    draft = world.scopes["own"].draft_card
    card_service.submit(draft, "f" * 32, draft.interviewer)
    db.session.commit()
    seeds = [url for _e, url in _seed_urls(app, world)]
    c = sign_in(app, world.users["interviewer_panel"])
    pages = crawl(c, seeds)
    assert not _hits(pages, _markers("other"))  # another job's panel stays invisible
    visible = _hits(pages, _markers("own"))
    if not visible:
        pytest.skip("no page shows the panel's scorecards to its members yet")
