"""Input fields that take JSON as typed: DRF's coerce ``0`` to ``"0"``, ``"5"`` to ``5`` and
``1`` to ``True``, which hides a client's bug and contradicts the schema. A form or a query
string (where everything is text) is still parsed the lenient way."""

from __future__ import annotations

from django.http import QueryDict
from rest_framework import serializers


def _from_json(field) -> bool:
    return not isinstance(getattr(field.root, "initial_data", None), QueryDict)


class Text(serializers.CharField):
    def to_internal_value(self, data):
        if _from_json(self) and not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Integer(serializers.IntegerField):
    def to_internal_value(self, data):
        if _from_json(self) and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid")
        return super().to_internal_value(data)


class Boolean(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if _from_json(self) and not isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)
