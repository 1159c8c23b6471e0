"""Every page carries a Content-Security-Policy that allows only Podium's own files, and the
pages themselves need nothing more: no inline script, style or event handler anywhere."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from podium.core.csp import HEADER, ContentSecurityPolicyMiddleware, policy
from tests.podium.factories import competition_with_solution, participant, scored, superuser

pytestmark = pytest.mark.django_db

INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_a_page_allows_only_podiums_own_files(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = directives(response[HEADER])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    # the API, a 404 and the health check carry it too
    assert HEADER in client.get("/api/v1/competitions/")
    assert HEADER in client.get("/no-such-page/")


def test_pages_have_no_inline_code(client):
    competition = competition_with_solution()
    user = participant(competition, "ada_l")
    scored(user, competition, 0.9, 0.1)
    client.force_login(user)
    pages = [
        "/",
        reverse("web:leaderboard", args=[competition.slug]),
        reverse("web:profile"),
        reverse("web:overview", args=[competition.slug]),
        reverse("web:my_submissions", args=[competition.slug]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE.search(html), (url, INLINE.search(html).group(0))
    # a new API token is selected on click by podium.js, not by an onclick attribute
    client.post(reverse("web:token_create"), {"name": "laptop"})
    html = client.get(reverse("web:profile")).content.decode()
    assert 'class="key select-on-click"' in html and not INLINE.search(html)


def test_swagger_ui_runs_without_inline_code(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE.search(html), INLINE.search(html).group(0)
    csp = directives(response[HEADER])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert "data:" in csp["img-src"]  # Swagger UI's icons
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html)
    assert script, html
    js = client.get(script.group(1).replace("&amp;", "&"))
    assert js.status_code == 200 and "SwaggerUIBundle" in js.content.decode()


def test_the_admin_may_style_inline_but_not_script(client):
    client.force_login(superuser())
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = directives(response[HEADER])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]


@override_settings(CONTENT_SECURITY_POLICY_IMG_HOSTS=["wiki.example.com", "http://intranet"])
def test_allowed_markdown_hosts_may_serve_images(rf):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(rf.get("/"))
    csp = directives(response[HEADER])
    assert csp["img-src"] == ["'self'", "https://wiki.example.com", "http://intranet"]


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    def view(request):
        response = HttpResponse("ok")
        response[HEADER] = "default-src 'none'"
        return response

    assert ContentSecurityPolicyMiddleware(view)(rf.get("/"))[HEADER] == "default-src 'none'"
    assert "script-src 'self'" in policy()
