"""The one rule for stored text that becomes a link: only http(s) (and mailto: when asked)."""

import pytest

from scorecard.urls import external_link, is_web_url


@pytest.mark.parametrize(
    "value",
    [
        "https://meet.example.com/abc-defg-hij",
        "http://example.com",
        "HTTPS://EXAMPLE.COM/Room?id=1#x",
        "https://例え.jp/会議",
    ],
)
def test_web_addresses_are_links(value):
    assert is_web_url(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        'javascript:alert("x")',
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://",
        "https:///path-without-host",
        "http:example.com",
        "https://example.com/\nnext",
        "//evil.example/x",
        "/relative/path",
        "www.example.com",
        "mailto:someone@example.com",  # only where a mail link is meant
    ],
)
def test_anything_else_is_not(value):
    assert not is_web_url(value)


def test_mailto_only_when_meant():
    assert is_web_url("mailto:someone@example.com", mailto=True)
    assert not is_web_url("mailto:", mailto=True)
    assert not is_web_url("javascript:alert(1)", mailto=True)


def test_the_filter_links_web_addresses_and_shows_anything_else_as_text():
    link = external_link("https://meet.example.com/a?b=1&c=2", "Video link")
    assert link == (
        '<a href="https://meet.example.com/a?b=1&amp;c=2" rel="noopener noreferrer" '
        'target="_blank">Video link</a>'
    )
    unsafe = external_link('javascript:alert("x")', "Video link")
    assert "<a" not in unsafe and "href" not in unsafe
    assert unsafe == '<span class="not-a-link">javascript:alert(&#34;x&#34;)</span>'
    quoted = external_link('https://x.example/"><script>alert(1)</script>')
    assert "<script>" not in quoted and "&#34;&gt;&lt;script&gt;" in quoted
    assert external_link("https://idp.example/logout", "Sign out", new_tab=False) == (
        '<a href="https://idp.example/logout" rel="noreferrer">Sign out</a>'
    )
    assert external_link("") == ""
    assert external_link(None) == ""
    assert external_link("mailto:a@example.com", mailto=True) == (
        '<a href="mailto:a@example.com">mailto:a@example.com</a>'
    )


def test_templates_have_the_filter(app):
    with app.app_context():
        html = app.jinja_env.from_string("{{ v|external_link('go') }}").render(
            v="javascript:alert(1)"
        )
    assert html == '<span class="not-a-link">javascript:alert(1)</span>'


@pytest.mark.parametrize(
    ("stored", "link"),
    [("https://idp.example/logout?x=1", True), ("javascript:alert(1)", False)],
)
def test_the_provider_sign_out_link_on_the_login_page_goes_through_the_filter(client, stored, link):
    from scorecard.sso.views import PROVIDER_LOGOUT

    with client.session_transaction() as sess:
        sess[PROVIDER_LOGOUT] = stored
    html = client.get("/login").get_data(as_text=True)
    assert ('href="https://idp.example/logout?x=1"' in html) is link
    assert 'href="javascript' not in html
    if not link:
        assert '<span class="not-a-link">javascript:alert(1)</span>' in html
