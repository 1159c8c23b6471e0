"""Competition rules that need nothing but the competition's own fields, shared by the services
(``competition_create``), the admin form and any future API. They read only and return their
refusal (field -> message) rather than raise, so a form can show every reason at once."""

from __future__ import annotations

from datetime import datetime


def schedule_refusals(
    *,
    start_at: datetime | None,
    end_at: datetime | None,
    entry_deadline: datetime | None = None,
    team_merger_deadline: datetime | None = None,
    reveal_at: datetime | None = None,
    auto_reveal: bool = True,
) -> dict[str, str]:
    """The end after the start; the entry and team merger deadlines not after the end; a
    scheduled reveal (``reveal_at``) after the end, and only with the automatic reveal (without
    it the organizers reveal by hand, and a date would promise what nothing does)."""
    refusals = {}
    if start_at and end_at and end_at <= start_at:
        refusals["end_at"] = "The end must come after the start."
    for name, deadline in (
        ("entry_deadline", entry_deadline),
        ("team_merger_deadline", team_merger_deadline),
    ):
        if deadline and end_at and deadline > end_at:
            refusals[name] = "This deadline must not be after the end."
    if reveal_at and not auto_reveal:
        refusals["reveal_at"] = (
            "A scheduled reveal needs the automatic reveal: tick it, or clear the date."
        )
    elif reveal_at and end_at and reveal_at <= end_at:
        refusals["reveal_at"] = "The reveal must come after the end."
    return refusals


def competition_schedule_refusals(competition) -> dict[str, str]:
    """``schedule_refusals`` of a competition's own dates."""
    return schedule_refusals(
        start_at=competition.start_at,
        end_at=competition.end_at,
        entry_deadline=competition.entry_deadline,
        team_merger_deadline=competition.team_merger_deadline,
        reveal_at=competition.reveal_at,
        auto_reveal=competition.auto_reveal_private,
    )
