"""public_board_page: pages of the public board, clamped to the pages there are."""

import pytest

from podium.leaderboards.selectors import public_board_page
from tests.podium.factories import competition_with_solution, participant, predictions_file, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_of_the_board(eager):
    competition = competition_with_solution()
    for i, quality in enumerate((0.2, 0.5, 0.8)):
        user = participant(competition, f"p{i}")
        submit(user, competition, file=predictions_file(competition, quality=quality, seed=i))

    first = public_board_page(competition=competition, page=1, per_page=2)
    assert [r.rank for r in first.rows] == [1, 2]
    assert first.rows[0].score >= first.rows[1].score
    assert (first.number, first.pages, first.total) == (1, 2, 3)
    assert first.has_next and not first.has_previous

    last = public_board_page(competition=competition, page=99, per_page=2)
    assert last.number == 2 and [r.rank for r in last.rows] == [3]
    assert last.rows[0].score <= first.rows[1].score
    assert last.has_previous and not last.has_next
    assert public_board_page(competition=competition, page=-4, per_page=2).number == 1


def test_an_empty_board_has_one_empty_page():
    page = public_board_page(competition=competition_with_solution())
    assert (page.rows, page.number, page.pages, page.total) == ([], 1, 1, 0)


def test_public_ranks_of_some_teams_are_those_of_the_whole_board(eager):
    from podium.core.timeutils import now
    from podium.leaderboards.selectors import public_ranks, public_ranks_of
    from podium.teams.models import Team

    competition = competition_with_solution()
    for i, quality in enumerate((0.2, 0.9, 0.5, 0.7)):
        user = participant(competition, f"p{i}")
        submit(user, competition, file=predictions_file(competition, quality=quality, seed=i))
    teams = list(Team.objects.filter(competition=competition).order_by("pk"))
    Team.objects.filter(pk=teams[1].pk).update(disqualified_at=now())  # off the board

    whole = public_ranks(competition=competition)
    asked = [teams[0].pk, teams[1].pk, teams[3].pk, 10**9]
    assert public_ranks_of(competition=competition, team_ids=asked) == {
        t: whole[t][0] for t in asked if t in whole
    }
    assert teams[1].pk not in whole and sorted(r for r, _ in whole.values()) == [1, 2, 3]
    assert public_ranks_of(competition=competition, team_ids=[]) == {}
