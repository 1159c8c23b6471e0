"""What the competition pages state beside its texts: how the scored rows split between the
public and the private board, and the next deadline the pages count down to. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from podium.competitions.models import Competition
from podium.competitions.selectors import active_solution
from podium.core.timeutils import now


@dataclass(frozen=True)
class BoardSplit:
    public_percent: int
    private_percent: int


def board_split(competition: Competition) -> BoardSplit | None:
    """How the scored test rows divide between the public and the private board (Kaggle states
    it above the board); None before there is an answer key."""
    version = active_solution(competition)
    if version is None:
        return None
    public, private = version.rows.get("public", 0), version.rows.get("private", 0)
    if not public + private:
        return None
    share = round(100 * public / (public + private))
    return BoardSplit(public_percent=share, private_percent=100 - share)


@dataclass(frozen=True)
class Deadline:
    """The next moment that changes what a participant can do (the pages count down to it)."""

    label: str
    at: datetime


def next_deadline(competition: Competition, moment: datetime | None = None) -> Deadline | None:
    """Before the start, the start; while it runs, the soonest of the entry deadline, the team
    merger deadline and the end that is still ahead; None once it has ended."""
    moment = moment or now()
    if moment < competition.start_at:
        return Deadline("Starts", competition.start_at)
    ahead = [
        Deadline(label, at)
        for label, at in (
            ("Entry deadline", competition.entry_deadline),
            ("Team merger deadline", competition.team_merger_deadline),
            ("Final submission deadline", competition.end_at),
        )
        if at is not None and at > moment
    ]
    return min(ahead, key=lambda d: d.at) if ahead else None
