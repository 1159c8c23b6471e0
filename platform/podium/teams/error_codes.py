"""Stable error codes of the teams app."""

from enum import Enum


class TeamErrorCode(str, Enum):
    NOT_A_PARTICIPANT = "not_a_participant"
    TEAM_DISQUALIFIED = "team_disqualified"
