from podium.competitions import page_facts
from podium.competitions import selectors as competition_selectors
from podium.teams import selectors as team_selectors


def competition_context(request, slug: str, tab: str, **extra) -> dict:
    """What every tab renders: the competition (NotFound if this viewer may not see it), where
    the viewer stands in it, the next deadline (the countdown), and the tab."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    me = team_selectors.participation(user=request.user, competition=competition)
    deadline = page_facts.next_deadline(competition)
    return {"competition": competition, "me": me, "tab": tab, "deadline": deadline, **extra}
