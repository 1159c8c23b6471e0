"""The HTTP side: the one RPC endpoint (``POST /api/v1/<Service>/<Method>``), the PUT target
of an upload token, and the two GETs the download redirects lead to. Thin: authenticate, call a
handler (or a selector), render; every refusal as ``{"code", "message"}``."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBase, JsonResponse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from podium.competitions import selectors as competition_selectors
from podium.core import limits, unavailable
from podium.core.addresses import client_address
from podium.core.errors import DomainError
from podium.core.exports import zip_part, zip_response
from podium.core.files import download_response
from podium.kaggle_compat import upload_tokens
from podium.kaggle_compat.auth import caller, require_user
from podium.kaggle_compat.error_codes import KaggleErrorCode
from podium.kaggle_compat.handlers import METHODS
from podium.kaggle_compat.protocol import (
    domain_error_response,
    error_response,
    parse_body,
    printed_error_response,
)

logger = logging.getLogger("podium.kaggle_compat")


TOO_MANY = "Too many requests from your address."


def _refusing(handler=None, *, printed: bool = True):
    """Every request counted against its address (``kaggle_address``, 429 with Retry-After past
    it); every DomainError (Podium's refusals and the protocol's) as the kaggle error shape,
    with the status that makes the kaggle CLI print its message unchanged (``printed``, see
    ``protocol``); a crash logged and answered with a 500 that shows none of it."""
    if handler is None:
        return lambda handler: _refusing(handler, printed=printed)

    def wrapped(request, *args, **kwargs):
        try:
            limits.hit("kaggle_address", client_address(request), TOO_MANY)
            return handler(request, *args, **kwargs)
        except DomainError as error:
            return domain_error_response(error, printed=printed)
        except RequestDataTooBig:
            return error_response(413, "The request body is too large.")
        except Exception as exc:
            if (away := unavailable.as_unavailable(exc)) is not None:  # database/broker away
                return unavailable.mark(domain_error_response(away), away.retry_after)
            logger.exception("kaggle protocol error in %s", handler.__name__)
            return error_response(
                500,
                "Something went wrong on the server; it is logged. Try again, and tell the "
                "organizers if it persists.",
            )

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def _only(request, method: str) -> JsonResponse | None:
    if request.method == method:
        return None
    return error_response(405, f"This endpoint answers {method} only.", headers={"Allow": method})


@csrf_exempt
@_refusing
def rpc(request, service: str, method: str):
    """``POST /api/v1/<Service>/<Method>`` with a JSON body, as kagglesdk sends every call."""
    if refused := _only(request, "POST"):
        return refused
    handler = METHODS.get(f"{service}/{method}")
    if handler is None:
        return printed_error_response(
            404,
            f"Podium does not offer {service}/{method}: of the kaggle CLI, it answers the "
            "`kaggle competitions` commands list, files, download, submit, submissions and "
            "leaderboard.",
            KaggleErrorCode.UNKNOWN_METHOD,
        )
    user = caller(request)
    body = parse_body(request.body)
    return handler(request, user, body)


@csrf_exempt
@_refusing(printed=False)  # the client reads this status (503: resume) and never the message
def upload(request, token: str):
    """The URL StartSubmissionUpload returned: the client PUTs the file's bytes here (no other
    credential than the token in the URL)."""
    if refused := _only(request, "PUT"):
        return refused
    upload_tokens.receive(token=token, request=request)
    return JsonResponse({}, status=201)


def _data_file_response(data_file) -> HttpResponseBase:
    """The file (Content-Length, Last-Modified, ETag: the kaggle CLI reads the first two), or on
    S3 a redirect to it, which the CLI follows."""
    return download_response(
        data_file.file,
        filename=data_file.name,
        last_modified=data_file.updated_at,
        etag=data_file.sha256,
    )


@_refusing
def data_file(request, slug: str, name: str):
    """Where DownloadDataFile redirects: the file, for a caller who accepted the rules."""
    if refused := _only(request, "GET"):
        return refused
    user = require_user(caller(request))
    found = competition_selectors.competition_get(slug=slug, user=user)
    return _data_file_response(
        competition_selectors.data_file_for_download(user=user, competition=found, name=name)
    )


@_refusing
def data_archive(request, slug: str):
    """Where DownloadDataFiles redirects: every data file in one zip, streamed."""
    if refused := _only(request, "GET"):
        return refused
    user = require_user(caller(request))
    found = competition_selectors.competition_get(slug=slug, user=user)
    competition_selectors.require_rules_accepted(user, found)
    files = list(competition_selectors.data_files(competition=found).order_by("name"))
    response = zip_response([(zip_part(f.name), f.file) for f in files], f"{found.slug}.zip")
    if files:
        newest = max(f.updated_at for f in files)
        response["Last-Modified"] = http_date(newest.timestamp())
    return response
