"""podium.core.exports: CSV a spreadsheet cannot run, zip archives nobody can escape, streamed.

Pinned: a text cell starting with = + - @ tab or CR gets a leading quote (header cells too),
numbers (negative scores included) stay numbers; the CSV stays well-formed with commas, quotes
and newlines in cells; both downloads are lazy generators; archive paths have no separators,
no '..', never an empty part; a zip round-trips files larger than one read chunk; the
attachment filename cannot break out of its header.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.http import StreamingHttpResponse

from podium.core import exports
from podium.core.files import CHUNK


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1:A9)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")', "-"]
)
def test_a_formula_cell_is_quoted(text):
    assert exports.safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["team a", "", "1=1", "a+b", " x", "'already"])
def test_plain_text_is_left_alone(text):
    assert exports.safe_cell(text) == text


@pytest.mark.parametrize("value", [-1, -0.25, 0, 3.5, None, True])
def test_numbers_stay_numbers(value):
    assert exports.safe_cell(value) is value


def test_a_moment_is_written_in_iso_format():
    moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert exports.safe_cell(moment) == "2024-05-06T07:08:09+00:00"


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_is_neutralized_and_well_formed():
    rows = [
        (1, "=cmd|' /C calc'!A0", -0.5),
        (2, 'comma, "quote"\nnewline', 0.75),
    ]
    text = "".join(exports.csv_stream(["rank", "team", "@score"], rows))
    assert read_csv(text) == [
        ["rank", "team", "'@score"],
        ["1", "'=cmd|' /C calc'!A0", "-0.5"],
        ["2", 'comma, "quote"\nnewline', "0.75"],
    ]


def test_the_csv_reads_its_rows_one_at_a_time():
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield (n, f"team {n}")

    stream = exports.csv_stream(["rank", "team"], rows())
    assert next(stream) == "rank,team\r\n"
    assert consumed == []
    assert next(stream) == "0,team 0\r\n"
    assert consumed == [0]


def test_a_csv_response_is_a_streamed_attachment():
    response = exports.csv_response(["a"], [["=x"]], "board.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="board.csv"'
    assert b"".join(response.streaming_content) == b"a\r\n'=x\r\n"


@pytest.mark.parametrize("filename", ['x".csv', "x\r\nSet-Cookie: a=b.csv", "a b;c/d\\e.csv"])
def test_the_attachment_name_cannot_break_its_header(filename):
    response = exports.csv_response(["a"], [], filename)
    value = response["Content-Disposition"]
    assert value.startswith('attachment; filename="') and value.endswith('"')
    inner = value[len('attachment; filename="') : -1]
    assert inner and all(c.isalnum() or c in "._-" for c in inner)


@pytest.mark.parametrize("filename", ["équipe.csv", "チーム.csv"])
def test_the_attachment_header_is_plain_ascii(filename):
    value = exports.csv_response(["a"], [], filename)["Content-Disposition"]
    assert value.isascii() and value.startswith('attachment; filename="')


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("..", "_"),
        (".", "_"),
        ("", "_"),
        ("  ", "_"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("/abs", "_abs"),
        ("a\\b", "a_b"),
        ("nul\x00byte\n", "nul_byte_"),
        ("team é", "team é"),
    ],
)
def test_an_archive_part_is_one_harmless_component(name, part):
    assert exports.zip_part(name) == part


@pytest.mark.parametrize(
    ("folder", "name"), [("..", ".."), ("../..", "x"), ("a", "../../../etc/cron.d/x"), ("", "")]
)
def test_an_archive_path_stays_inside_the_extraction_folder(tmp_path, folder, name):
    path = exports.zip_path(folder, name)
    assert path.count("/") == 1
    target = (tmp_path / path).resolve()
    assert target.parent.parent == tmp_path.resolve()


def test_a_zip_round_trips_its_files():
    big = bytes(range(256)) * (CHUNK // 256 * 2 + 1000)  # more than two read chunks
    entries = [
        ("team a/1-big.bin", ContentFile(big)),
        ("team b/2-sub.csv", ContentFile(b"id\n1\n")),
    ]
    data = b"".join(exports.zip_stream(entries))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["team a/1-big.bin", "team b/2-sub.csv"]
        assert archive.read("team a/1-big.bin") == big
        assert archive.read("team b/2-sub.csv") == b"id\n1\n"
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())


def test_an_empty_zip_is_still_a_zip():
    data = b"".join(exports.zip_stream([]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == []


def test_the_zip_streams_file_by_file():
    opened = []

    def entries():
        for n in range(3):
            opened.append(n)
            yield (f"t/{n}.csv", ContentFile(b"x" * 10))

    stream = exports.zip_stream(entries())
    next(stream)
    assert opened == [0]  # the next file is not touched before this one went out
    rest = list(stream)
    assert opened == [0, 1, 2] and len(rest) >= 3


def test_a_zip_response_is_a_streamed_attachment():
    response = exports.zip_response([("t/f.csv", ContentFile(b"id\n1\n"))], "subs.zip")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="subs.zip"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.read("t/f.csv") == b"id\n1\n"
