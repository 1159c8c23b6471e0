"""Stable error codes of the teams app (and of team merges, which leaderboards executes)."""

from enum import StrEnum


class TeamErrorCode(StrEnum):
    NOT_A_PARTICIPANT = "not_a_participant"
    TEAM_DISQUALIFIED = "team_disqualified"
    # who may do what
    NOT_TEAM_LEADER = "not_team_leader"
    NOT_TEAM_MEMBER = "not_team_member"
    NOT_ADDRESSEE = "team_request_not_yours"
    # names
    TEAM_NAME_INVALID = "team_name_invalid"
    TEAM_NAME_TAKEN = "team_name_taken"
    TEAM_NOT_FOUND = "team_not_found"
    # finding the person to invite
    USER_NOT_FOUND = "user_not_found"
    USER_AMBIGUOUS = "user_ambiguous"
    # team composition
    TEAM_FULL = "team_full"
    ALREADY_IN_TEAM = "already_in_team"
    IN_TEAM_WITH_OTHERS = "in_team_with_others"
    BASELINE_TEAM = "baseline_team"
    TEAM_CHANGES_CLOSED = "team_changes_closed"
    TEAM_GONE = "team_gone"
    MERGE_REQUIRED = "merge_required"
    # requests
    REQUEST_NOT_FOUND = "team_request_not_found"
    REQUEST_CLOSED = "team_request_closed"
    # leaving and leading
    LEADER_MUST_TRANSFER = "leader_must_transfer"
    LEAVE_AFTER_MERGER_DEADLINE = "leave_after_merger_deadline"
    LAST_MEMBER_WITH_SUBMISSIONS = "last_member_with_submissions"
    # merges
    MERGE_SAME_TEAM = "merge_same_team"
    MERGE_OTHER_COMPETITION = "merge_other_competition"
    MERGE_TOO_LARGE = "merge_too_large"
    MERGE_TOO_MANY_SUBMISSIONS = "merge_too_many_submissions"
    MERGE_OVER_TOTAL_LIMIT = "merge_over_total_limit"
    MERGE_REQUEST_CROSSED = "merge_request_crossed"
