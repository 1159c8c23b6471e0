"""podium.core.log_context: fields set for a `with`, added once known, undone at its end, and
private to each thread."""

from __future__ import annotations

import threading

from podium.core.log_context import current, log_context


def test_fields_nest_and_are_undone():
    assert dict(current()) == {}
    with log_context(request_id="r1"):
        with log_context(submission_id=7) as context:
            context.bind(route="web:submit")
            assert dict(current()) == {
                "request_id": "r1",
                "submission_id": 7,
                "route": "web:submit",
            }
        assert dict(current()) == {"request_id": "r1"}
    assert dict(current()) == {}


def test_an_error_undoes_them_too():
    try:
        with log_context(submission_id=1):
            raise RuntimeError
    except RuntimeError:
        pass
    assert dict(current()) == {}


def test_another_thread_does_not_see_them():
    seen = []
    with log_context(submission_id=3):
        thread = threading.Thread(target=lambda: seen.append(dict(current())))
        thread.start()
        thread.join()
    assert seen == [{}]
