"""Reading what untrusted code left: links, FIFOs and devices are refused at any depth, hard
links too, and copying stops at its cap while it copies (no sandbox needed: plain files)."""

import os

from podium.core.sandbox import hostile


def _open(path):
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY)


def test_only_regular_singly_linked_files_come_out(tmp_path):
    src = tmp_path / "src"
    (src / "output" / "logs" / "deep").mkdir(parents=True)
    (src / "output" / "submission.csv").write_text("id,y\n1,0\n")
    (src / "output" / "logs" / "deep" / "train.log").write_text("epoch 1\n")
    secret = tmp_path / "secret.csv"
    secret.write_text("id,y,Usage\n")
    os.symlink(secret, src / "output" / "logs" / "link.csv")
    os.symlink("/dev/zero", src / "output" / "zero")
    os.link(secret, src / "output" / "hard.csv")
    os.mkfifo(src / "output" / "logs" / "deep" / "fifo")
    os.symlink(tmp_path, src / "output" / "dirlink")
    fd = _open(src)
    try:
        report = hostile.copy_out(
            fd, ["output", ".podium"], tmp_path / "dest", hostile.Caps(max_bytes=1024)
        )
    finally:
        os.close(fd)
    assert sorted(report.copied) == ["output/logs/deep/train.log", "output/submission.csv"]
    assert sorted(report.refused) == [
        "output/dirlink: a symbolic link",
        "output/hard.csv: a hard link",
        "output/logs/deep/fifo: a FIFO",
        "output/logs/link.csv: a symbolic link",
        "output/zero: a symbolic link",
    ]
    dest = tmp_path / "dest" / "output"
    assert (dest / "submission.csv").read_text() == "id,y\n1,0\n"
    assert not (dest / "hard.csv").exists() and not (dest / "zero").exists()
    assert all(not p.is_symlink() for p in (tmp_path / "dest").rglob("*"))


def test_copying_stops_at_the_cap_and_says_so(tmp_path):
    src = tmp_path / "src"
    (src / "output").mkdir(parents=True)
    (src / "output" / "a.bin").write_bytes(b"a" * 600)
    (src / "output" / "b.bin").write_bytes(b"b" * 600)
    fd = _open(src)
    try:
        report = hostile.copy_out(fd, ["output"], tmp_path / "dest", hostile.Caps(max_bytes=1000))
    finally:
        os.close(fd)
    assert report.copied == ["output/a.bin"] and report.bytes == 600 and report.over_cap
    assert report.refused == ["output/b.bin: over the 1000-byte cap"]
    assert not (tmp_path / "dest" / "output" / "b.bin").exists()


def test_file_count_and_depth_are_capped(tmp_path):
    src = tmp_path / "src"
    deep = src / "output"
    for i in range(5):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    for i in range(3):
        (src / "output" / f"f{i}").write_text("x")
    fd = _open(src)
    try:
        report = hostile.copy_out(
            fd, ["output"], tmp_path / "dest", hostile.Caps(max_bytes=100, max_files=2, max_depth=3)
        )
    finally:
        os.close(fd)
    # a folder is read for as many names as may still be copied (folders among them)
    assert 1 <= len(report.copied) <= 2
    assert "output: more than 2 files" in report.refused
    assert any("nested deeper than 3" in r for r in report.refused)


def test_read_capped_never_follows_a_link(tmp_path):
    target = tmp_path / "target.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    os.symlink(target, link)
    assert hostile.read_capped(target, 10) == b"{}"
    assert hostile.read_capped(link, 10) is None
    assert hostile.read_capped(target, 1) is None
    assert hostile.read_capped(tmp_path / "missing", 10) is None


def test_a_folder_of_many_files_is_not_read_whole(tmp_path):
    src = tmp_path / "src"
    (src / "output").mkdir(parents=True)
    for i in range(500):
        (src / "output" / f"f{i:03}").write_text("")
    fd = _open(src)
    try:
        report = hostile.copy_out(
            fd, ["output"], tmp_path / "dest", hostile.Caps(max_bytes=100, max_files=10)
        )
    finally:
        os.close(fd)
    assert len(report.copied) == 10
    assert report.refused == ["output: more than 10 files"]
