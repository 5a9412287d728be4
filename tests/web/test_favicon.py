"""The favicon: /favicon.ico is a real icon (no 404 on any page), and pages link the SVG."""

import struct


def test_favicon_ico_is_a_real_icon_for_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    body = response.get_data()
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind) == (0, 1) and count >= 2  # an ICO directory with several sizes
    sizes = set()
    for i in range(count):
        width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", body[6 + 16 * i : 22 + 16 * i]
        )
        assert body[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(body)
        sizes.add(width)
    assert {16, 32} <= sizes


def test_pages_link_the_svg_icon(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    svg = client.get("/static/img/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.get_data()
