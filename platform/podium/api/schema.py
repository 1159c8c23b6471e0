"""OpenAPI details drf-spectacular cannot infer: the one error shape on every operation, its
``code`` the closed set of Podium's error codes (``podium.core.error_codes``); each operation's
tag, the module of ``podium.api.views`` its view lives in (its one-line ``summary`` is given on
the view, with ``extend_schema``)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as _AutoSchema

from podium.core.error_codes import code_values


def error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": code_values(),
                        "description": (
                            "Stable, e.g. daily_limit_reached, not_found, invalid_input: one of "
                            "the server's registered codes (each defined once, never renamed)."
                        ),
                    },
                    "message": {"type": "string", "description": "What to do about it, in words."},
                    "details": {"type": "object", "additionalProperties": True},
                },
            }
        },
    }


def document_errors(result, generator, request, public):
    """Postprocessing hook: every operation may answer an ``Error`` (400, 401, 403, 404, 409,
    413, 429, 500), documented as its ``default`` response."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = error_schema()
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "default",
                    {"description": "An error", "content": {"application/json": {"schema": ref}}},
                )
    return result


# Swagger's groups, in this order: a view's module in podium.api.views names its tag.
TAGS = ["competitions", "submissions", "teams", "leaderboards", "kernels", "account"]
VIEWS_PACKAGE = "podium.api.views."


class AutoSchema(_AutoSchema):
    """Names the components of serializers nested in a view (the style guide's
    ``InputSerializer``/``OutputSerializer``) after their view: ``LoginApi.InputSerializer`` ->
    ``LoginInput``, so they do not collide. Tags an operation by its view's module."""

    def get_tags(self) -> list[str]:
        module = type(self.view).__module__
        if module.startswith(VIEWS_PACKAGE):
            tag = module.removeprefix(VIEWS_PACKAGE)
            if tag in TAGS:
                return [tag]
        return super().get_tags()

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        owner, _, nested = type(serializer).__qualname__.rpartition(".")
        if owner and nested:
            name = owner.split(".")[-1].removesuffix("Api") + name
        return name
