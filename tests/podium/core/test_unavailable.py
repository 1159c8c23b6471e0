"""A dependency away answers 503 + Retry-After (podium.core.unavailable), never a 500.

The database is really away: the test's connection is closed and pointed at a port nobody
listens on (PostgreSQL: connection refused) or a file in a folder that does not exist (SQLite:
unable to open), so every query raises the driver's own error through Django's wrapper. The
requests go through the whole middleware stack in this thread (Django's test client), which
uses that connection.
"""

from __future__ import annotations

import logging
import socket
from contextlib import contextmanager

import pytest
import redis
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from podium.accounts.tokens import api_token_create
from podium.api.exceptions import server_error
from podium.core import unavailable
from podium.core.error_codes import CommonErrorCode
from podium.core.unavailable import BROKER, DATABASE, dependency_failure
from tests.podium.factories import CompetitionFactory, superuser

pytestmark = pytest.mark.django_db(transaction=True)  # the test closes its connection


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_away(tmp_path):
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture(autouse=True)
def _fresh_reporting():
    unavailable.reset_reporting()
    yield
    unavailable.reset_reporting()


def _assert_json_503(response) -> dict:
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_S)
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == CommonErrorCode.SERVICE_UNAVAILABLE == "service_unavailable"
    assert "database" in error["message"] and "Try again" in error["message"]
    assert error["details"] == {"retry_after_seconds": unavailable.RETRY_AFTER_S}
    return error


def test_rest_api_answers_503_with_retry_after(tmp_path):
    admin = superuser()
    key = api_token_create(user=admin, name="t")[1]
    CompetitionFactory()
    client = Client()
    assert client.get("/api/v1/competitions/").status_code == 200
    with database_away(tmp_path):
        _assert_json_503(client.get("/api/v1/competitions/"))
        # authentication itself needs the database: still a 503, not a 500 or a 401
        _assert_json_503(client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}"))
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_kaggle_compat_api_answers_503_in_its_protocol_shape(tmp_path):
    CompetitionFactory()
    client = Client()
    rpc = "/api/v1/competitions.CompetitionApiService/ListCompetitions"
    assert client.post(rpc, data="{}", content_type="application/json").status_code == 200
    with database_away(tmp_path):
        response = client.post(rpc, data="{}", content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_S)
    assert response.json()["code"] == 503  # kagglesdk's error shape: {"code", "message"}
    assert "cannot reach its database" in response.json()["message"]


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/submissions/submission/"])
def test_web_pages_and_admin_answer_a_small_503_page(tmp_path, path):
    client = Client()
    client.force_login(superuser())  # the session and the user are read from the database
    CompetitionFactory(title="Visible before")
    assert client.get(path).status_code == 200
    with database_away(tmp_path):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_S)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Back in a moment" in page and "cannot reach its database" in page
    assert "Reload this page in 5 seconds" in page
    assert "Traceback" not in page and "Server Error" not in page


def test_a_storm_is_logged_once_without_tracebacks(tmp_path, caplog):
    client = Client()
    with caplog.at_level(logging.INFO), database_away(tmp_path):
        answers = [client.get("/api/v1/competitions/").status_code for _ in range(6)]
        answers += [client.get("/").status_code for _ in range(4)]
    assert answers == [503] * 10
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["podium.core.unavailable"], [r.getMessage() for r in errors]
    assert errors[0].exc_info is None
    assert "The database is unavailable" in errors[0].getMessage()
    # the next line, after LOG_EVERY_S, says how many were answered since
    unavailable._last_logged[DATABASE] -= unavailable.LOG_EVERY_S
    caplog.clear()
    with caplog.at_level(logging.INFO), database_away(tmp_path):
        assert client.get("/").status_code == 503
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "(10 requests since the last such line)" in line


def test_handler500_answers_503_for_a_dependency_failure_raised_in_a_middleware(tmp_path):
    """Django calls ``handler500`` inside its ``except`` block for an exception raised outside
    a view (a session saved in ``process_response``)."""
    with database_away(tmp_path):
        try:
            connection.ensure_connection()
        except OperationalError:
            web = server_error(RequestFactory().get("/competitions/"))
            api = server_error(RequestFactory().get("/api/v1/competitions/"))
    assert web.status_code == 503 and b"Back in a moment" in web.content
    assert api.status_code == 503 and api["Retry-After"] == "5"
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        assert server_error(RequestFactory().get("/api/v1/x/")).status_code == 500


def test_only_a_service_away_is_a_503(tmp_path):
    import sqlite3

    def wrapped(cause: Exception) -> OperationalError:
        try:
            try:
                raise cause
            except Exception as inner:
                raise OperationalError(str(inner)) from inner
        except OperationalError as outer:
            return outer

    try:
        sqlite3.connect(":memory:").execute("select * from no_such_table")
    except sqlite3.OperationalError as bug:
        assert dependency_failure(wrapped(bug)) is None  # a bug stays a 500
    locked = sqlite3.OperationalError("database is locked")
    assert dependency_failure(wrapped(locked)) == DATABASE
    refused = redis.Redis(host="127.0.0.1", port=_free_port(), socket_connect_timeout=1)
    with pytest.raises(redis.exceptions.ConnectionError) as raised:
        refused.ping()
    assert dependency_failure(raised.value) == BROKER
    from kombu.exceptions import OperationalError as KombuOperationalError

    assert dependency_failure(KombuOperationalError("connection refused")) == BROKER
    assert dependency_failure(ValueError("x")) is None


def test_postgresql_sqlstates(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    shutdown = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    undefined = psycopg.errors.UndefinedTable("relation does not exist")
    for cause, expected in ((shutdown, DATABASE), (undefined, None)):
        try:
            try:
                raise cause
            except Exception as inner:
                raise OperationalError(str(inner)) from inner
        except OperationalError as outer:
            assert dependency_failure(outer) == expected


def test_a_connection_killed_by_a_postgresql_restart_costs_no_request():
    """CONN_HEALTH_CHECKS: a persistent connection whose server side is gone (what a restart
    leaves) is pinged and replaced when a request starts, instead of failing that request."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (.ci/run does)")
    from django.conf import settings
    from django.db import close_old_connections

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    CompetitionFactory()
    client = Client()
    saved = {k: connection.settings_dict[k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    try:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        import psycopg

        params = connection.get_connection_params()
        with psycopg.connect(**{**params, "autocommit": True}) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        close_old_connections()  # what request_started does in a real server
        assert client.get("/api/v1/competitions/").status_code == 200
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.close()
        connection.settings_dict.update(saved)
