"""The Content-Security-Policy (podium/core/csp.py) refuses nothing the pages need: Swagger UI
draws the API, the admin's competition form (its organizers' search box included) works. A
refusal would show only on the console: the ``open_page`` fixture fails the test on one."""

from __future__ import annotations

import pytest

from tests.podium.browser.conftest import sign_in
from tests.podium.factories import competition_with_solution, superuser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_swagger_ui_draws_the_api_under_the_policy(server, open_page):
    page = open_page()
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Podium API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")  # the operations, from /api/schema/


def test_the_admin_competition_form_works_under_the_policy(server, open_page):
    competition = competition_with_solution(title="Admin CSP")
    admin = superuser()
    page = open_page()
    sign_in(page, admin.username)
    page.goto(f"/admin/competitions/competition/{competition.pk}/change/")
    page.wait_for_selector("#competition_form")
    page.wait_for_load_state("networkidle")
