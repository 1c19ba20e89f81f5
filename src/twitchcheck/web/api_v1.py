"""What every route of the JSON API (version 1) shares: the prefix, the API-token scheme, the user it
gives, and the error answers each route documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Security
from fastapi.security import HTTPBearer

from twitchcheck.diary.schemas import UserPublic
from twitchcheck.web.auth import api_user
from twitchcheck.web.limits import BODY_LIMIT_TEXT
from twitchcheck.web.schemas import API_VERSION, ErrorOut

PREFIX = f"/api/{API_VERSION}"
MAX_PAGE = 1000

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from POST /api/v1/account/tokens or the account page, sent as Bearer.",
)
CurrentUser = Annotated[UserPublic, Depends(api_user)]
Responses = dict[int | str, dict[str, Any]]


def error_response(description: str, **headers: str) -> dict[str, Any]:
    """An error answer for the API document: the shape every error has (ErrorOut), and its headers."""
    response: dict[str, Any] = {"model": ErrorOut, "description": description}
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return response


UNAVAILABLE: Responses = {
    503: error_response("The diary database cannot be reached right now; nothing was changed.")
}
AUTH: Responses = {
    401: error_response("No valid API token was sent.", **{"WWW-Authenticate": "Bearer"}),
    **UNAVAILABLE,
}
INVALID: Responses = {422: error_response("The input is not valid; the message names the field.")}
BODY: Responses = {
    **INVALID,
    400: error_response("Malformed request (for example a bad Content-Length)."),
    413: error_response(f"The request body is over the size limit ({BODY_LIMIT_TEXT})."),
}
THROTTLED: Responses = {
    429: error_response(
        "Too many attempts from this address, or for this username from this address.",
        **{"Retry-After": "Seconds to wait."},
    )
}
BUSY: Responses = {
    429: error_response(
        "Too many of these recently, one already running, or the server is busy with others.",
        **{"Retry-After": "Seconds to wait."},
    )
}


def private_router() -> APIRouter:
    """A router whose every route needs a token: the Security dependency documents the scheme, and the
    CurrentUser dependency of each route checks it (401 with WWW-Authenticate otherwise)."""
    return APIRouter(dependencies=[Security(BEARER)])
