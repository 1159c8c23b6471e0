"""Stable error codes of the competitions app."""

from enum import StrEnum


class CompetitionErrorCode(StrEnum):
    NOT_FOUND = "competition_not_found"
    NOT_STARTED = "competition_not_started"
    ENDED = "competition_ended"
    ENTRY_DEADLINE_PASSED = "entry_deadline_passed"
    NOT_INVITED = "competition_not_invited"
    RULES_NOT_ACCEPTED = "rules_not_accepted"
    SOLUTION_INVALID = "solution_invalid"
    NO_SOLUTION = "no_solution"
    DATA_FILE_NOT_FOUND = "data_file_not_found"
    METRIC_INVALID = "metric_invalid"
    SCHEDULE_INVALID = "schedule_invalid"
    CUSTOM_METRIC_NOT_ALLOWED = "custom_metric_not_allowed"
    NOT_AN_ORGANIZER = "not_an_organizer"
    NO_ORGANIZER_LEFT = "no_organizer_left"
    CO_HOST_NOT_AN_ORGANIZER = "co_host_not_an_organizer"
    RESCORE_NOT_ACTIVE_VERSION = "rescore_not_active_version"
    ARCHIVED = "competition_archived"
    NOT_A_DRAFT = "competition_not_a_draft"
    NOT_PUBLISHED = "competition_not_published"
    PUBLISH_CHECKLIST_UNMET = "publish_checklist_unmet"
