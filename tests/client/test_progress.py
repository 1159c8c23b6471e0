"""The progress bar: animated on a terminal, one final line otherwise."""

from __future__ import annotations

import io

from podium_client.progress import Progress, human_bytes


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_not_a_terminal_one_line_at_the_end_only():
    stream = Stream(tty=False)
    with Progress("train.csv", 3_000_000, stream=stream) as bar:
        for _ in range(3):
            bar.update(1_000_000)
        assert stream.getvalue() == ""
    assert stream.getvalue() == "train.csv: 3.0 MB done\n"


def test_a_terminal_redraws_in_place_at_most_ten_times_a_second():
    stream, clock = Stream(tty=True), Clock()
    bar = Progress("train.csv", 1000, stream=stream, clock=clock)
    bar.update(100)
    bar.update(100)  # same instant: not redrawn
    clock.now += 0.5
    bar.update(300)
    bar.close()

    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 3  # two redraws and the final one
    assert "[##----------------------]  10%" in frames[0]
    assert " 50% 500 B/1.0 KB" in frames[1]
    assert frames[2].startswith("train.csv [############------------]  50%")
    assert frames[2].endswith("\n")


def test_an_interrupted_transfer_says_so_on_a_terminal_and_nothing_otherwise():
    stream = Stream(tty=True)
    try:
        with Progress("up", 10, stream=stream) as bar:
            bar.update(5)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert "(interrupted)" in stream.getvalue()

    quiet = Stream(tty=False)
    bar = Progress("up", 10, stream=quiet)
    bar.close(ok=False)
    assert quiet.getvalue() == ""


def test_unknown_total_shows_bytes_only():
    stream = Stream(tty=True)
    with Progress("x", None, stream=stream) as bar:
        bar.update(2048)
    assert "2.0 KB" in stream.getvalue() and "%" not in stream.getvalue()


def test_human_bytes():
    assert [human_bytes(n) for n in (0, 999, 1000, 1_500_000, 2e9, 3e12)] == [
        "0 B",
        "999 B",
        "1.0 KB",
        "1.5 MB",
        "2.0 GB",
        "3000.0 GB",
    ]
