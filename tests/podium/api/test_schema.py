"""/api/schema/ is a valid OpenAPI 3 document without generator warnings; /api/docs/ is Swagger
UI from this server's static files (no CDN: works air-gapped)."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from podium.api.error_codes import ApiErrorCode
from podium.core.error_codes import CommonErrorCode, all_codes, code_values

pytestmark = pytest.mark.django_db(transaction=True)


def api_routes() -> set[str]:
    """Every API view's route, as OpenAPI writes paths (``{slug}``)."""
    [api] = [r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "api"]
    routes = set()
    for pattern in api.url_patterns:
        text = str(pattern.pattern)
        if text in {"schema/", "docs/"}:
            continue
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).lstrip("^").rstrip("$")
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        routes.add("/api/" + text.replace("{pk}", "{id}"))  # drf-spectacular's name for a pk
    return routes


def test_the_schema_validates_without_warnings():
    """``manage.py spectacular --validate --fail-on-warn``, in process."""
    reset_generator_stats()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == api_routes()


def test_the_schema_over_http(api):
    response = api.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["info"]["title"] == "Podium API"
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": (
            "`Authorization: Token <key>` (`Bearer <key>` also works): a key from your "
            "profile page or `podium login`."
        ),
    }
    assert (
        "`Authorization: Token <key>` (`Bearer <key>` also works)" in schema["info"]["description"]
    )
    # every operation documents the one error shape
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations and all(
        op["responses"]["default"]["content"]["application/json"]["schema"]
        == {"$ref": "#/components/schemas/Error"}
        for op in operations
    )
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    # lists are paginated in the schema too
    listed = schema["paths"]["/api/v1/competitions/"]["get"]
    names = {p["name"] for p in listed["parameters"]}
    assert {"page", "page_size", "state", "search"} <= names
    # the upload is multipart
    create = schema["paths"]["/api/v1/competitions/{slug}/submissions/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]


def test_the_error_code_is_the_closed_set_of_registered_codes(api):
    """The Error component's ``code`` is an enum: every code of core.error_codes' registry (each
    app's, core's shared ones, scoring's), and nothing else."""
    schema = api.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    code = schema["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    assert code["type"] == "string"
    assert code["enum"] == code_values() == sorted(set(code["enum"]))
    assert {entry.code for entry in all_codes()} == set(code["enum"])
    # the API's own refusals, the shared ones, the domain's and scoring's file checks
    assert {
        *ApiErrorCode,
        *CommonErrorCode,
        "daily_limit_reached",
        "no_solution",
        "file_empty",
        "file_too_large",
        "competition_not_found",
        "team_full",
        "kernel_quota_reached",
    } <= set(code["enum"])
    # a code the API answers with is in it (error_of checks every test's error the same way)
    missing = api.get("/api/v1/competitions/nope/")
    assert missing.json()["error"]["code"] in code["enum"]


def test_swagger_ui_uses_local_static_files_only(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert "swagger-ui" in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), html
    assert not re.search(r"https?://(?!localhost|127\.0\.0\.1)", html), html
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    local = [a for a in assets if a.startswith("/static/")]
    assert local, assets
    # its settings (the schema's address) come from ?script=, not an inline script (CSP)
    assert "/api/docs/?script=" in html
    assert "/api/schema/" in api.get("/api/docs/", params={"script": ""}).text


def test_unknown_schema_format_is_refused(api):
    """drf-spectacular's own view answers in the schema's format (YAML), still the one shape."""
    response = api.get("/api/schema/", params={"format": "nope"})
    assert response.status_code == 404
    assert response.text.startswith("error:\n  code: not_found\n")


def test_every_operation_has_a_one_line_summary_and_one_of_the_six_tags():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    tags = ["competitions", "submissions", "teams", "leaderboards", "kernels", "account"]
    assert [t["name"] for t in schema["tags"]] == tags  # Swagger's groups, in this order
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert len(operations) >= 35
    for name, operation in operations.items():
        summary = operation.get("summary", "")
        assert summary and "\n" not in summary and len(summary) <= 80, name
        assert len(operation.get("tags", [])) == 1 and operation["tags"][0] in tags, name
    summaries = [op["summary"] for op in operations.values()]
    assert len(set(summaries)) == len(summaries), "two operations read the same"
    assert operations["GET /api/v1/competitions/"]["tags"] == ["competitions"]
    assert operations["POST /api/v1/auth/token/"]["tags"] == ["account"]
    assert operations["GET /api/v1/kernels/{run_id}/log/"]["tags"] == ["kernels"]
    used = {op["tags"][0] for op in operations.values()}
    assert used == set(tags)
