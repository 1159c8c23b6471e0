"""``submit --wait``'s polling: backs off, rides out a throttle, gives up at --timeout (exit 7)."""

from __future__ import annotations

import pytest
from podium_client.commands.submissions import wait_for
from podium_client.errors import ApiError, CliError, Exit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeApi:
    def __init__(self, answers) -> None:
        self.answers = list(answers)

    def get(self, path: str):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"id": 9, "competition": "c", "status": answer}


def test_polls_with_backoff_through_a_throttle_until_scored():
    clock = Clock()
    throttled = ApiError(429, "throttled", "Too many requests.", retry_after=4)
    api = FakeApi(["pending", "scoring", throttled, "scoring", "scored"])

    done = wait_for(api, {"id": 9, "status": "pending"}, 100, clock=clock, sleep=clock.sleep)

    assert done["status"] == "scored"
    assert clock.sleeps == [1.0, 1.5, 2.25, 4, 3.375, 5.0625]


def test_gives_up_at_the_timeout_with_exit_7():
    clock = Clock()
    api = FakeApi(["scoring"] * 100)
    with pytest.raises(CliError) as raised:
        wait_for(api, {"id": 9, "status": "pending"}, 30, clock=clock, sleep=clock.sleep)
    assert raised.value.exit_code == Exit.TIMEOUT
    assert raised.value.message.startswith("Submission 9 is still scoring after 30 s")
    assert clock.now == 30  # the last sleep is cut to the deadline


def test_other_api_errors_end_the_wait():
    clock = Clock()
    api = FakeApi([ApiError(404, "submission_not_found", "You have no submission with id 9.")])
    with pytest.raises(ApiError) as raised:
        wait_for(api, {"id": 9, "status": "pending"}, 30, clock=clock, sleep=clock.sleep)
    assert raised.value.exit_code == Exit.NOT_FOUND
