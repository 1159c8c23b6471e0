"""Stable error codes of the notifications app."""

from enum import StrEnum


class NotificationErrorCode(StrEnum):
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    PREFERENCE_KIND_UNKNOWN = "notification_kind_unknown"
    PREFERENCE_DELIVERY_UNKNOWN = "notification_delivery_unknown"
