"""Stable error codes of the discussion app (add codes, never rename or reuse one)."""

from enum import StrEnum


class DiscussionErrorCode(StrEnum):
    TOPIC_NOT_FOUND = "topic_not_found"
    REPLY_NOT_FOUND = "reply_not_found"
    TITLE_INVALID = "topic_title_invalid"
    BODY_INVALID = "post_body_invalid"
    TOPIC_LOCKED = "topic_locked"
    NOT_POST_AUTHOR = "not_post_author"
    NOT_A_MODERATOR = "not_a_moderator"
    OWN_POST_VOTE = "own_post_vote"
    ALREADY_VOTED = "post_already_voted"
    NOT_VOTED = "post_not_voted"
    ALREADY_REPORTED = "post_already_reported"
    REPORT_REASON_INVALID = "post_report_reason_invalid"
    WRITEUP_TOO_EARLY = "writeup_before_reveal"
    WRITEUP_NOT_ON_BOARD = "writeup_team_not_on_board"
    WRITEUP_EXISTS = "writeup_exists"
    SIGN_IN_REQUIRED = "discussion_sign_in_required"
