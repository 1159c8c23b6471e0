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
