"""Writes of the teams app: joining, names, invitations, join requests, leaving, leadership.

Kaggle's model: joining a competition makes a solo team; every other team is made by people
joining it (an invitation or a join request) or by merging teams. The rules that count
submissions (a merge's submission cap) and moving submissions live in
``podium.workflows`` (the teams app does not import submissions): accepting an invitation or a
join request is ``podium.workflows.team_joins``, which calls the admissions here. The rules
without submissions are in ``podium.teams.rules``.

By action family:

- ``joining``: entering a competition (``competition_join``, ``baseline_team_ensure``), the
  teams' half of joining a team (``invitation_admit``, ``join_request_admit``, ``member_move``),
  leaving a team.
- ``requests``: invitations and join requests (asking, declining, taking back), and answering
  or cancelling any request, merge requests included (``request_close``).
- ``membership``: a team's name and leader, new solo teams, dissolving an empty team.
- ``locking``: ``lock_teams`` and the lock taken to join a team.
- ``notices``: whom a request, and its answer, notifies.

Everything public is re-exported here: import from ``podium.teams.services``.

Locking: every change of a team's members locks the team rows it touches (``lock_teams``:
``select_for_update`` in ascending pk order) before counting; answering a request is a
conditional UPDATE on its status. On SQLite the IMMEDIATE transaction serializes writers.
"""

from podium.teams.services.joining import (
    BASELINE_TEAM_NAME,
    Admission,
    baseline_team_ensure,
    competition_join,
    invitation_admit,
    join_request_admit,
    member_move,
    team_leave,
)
from podium.teams.services.locking import lock_teams
from podium.teams.services.membership import (
    NAME_MAX,
    leadership_transfer,
    team_dissolve,
    team_rename,
)
from podium.teams.services.notices import request_answered_notify, request_made_notify
from podium.teams.services.requests import (
    invitation_cancel,
    invitation_create,
    invitation_decline,
    join_request_cancel,
    join_request_create,
    join_request_decline,
    pending_requests_cancel,
    pending_user_requests_cancel,
    request_close,
    request_closed,
)

__all__ = [
    "BASELINE_TEAM_NAME",
    "NAME_MAX",
    "Admission",
    "baseline_team_ensure",
    "competition_join",
    "invitation_admit",
    "invitation_cancel",
    "invitation_create",
    "invitation_decline",
    "join_request_admit",
    "join_request_cancel",
    "join_request_create",
    "join_request_decline",
    "leadership_transfer",
    "lock_teams",
    "member_move",
    "pending_requests_cancel",
    "pending_user_requests_cancel",
    "request_answered_notify",
    "request_close",
    "request_closed",
    "request_made_notify",
    "team_dissolve",
    "team_leave",
    "team_rename",
]
