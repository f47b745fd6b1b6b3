"""POST /api/v1/auth/token: the OAuth2 client-credentials grant, as form or JSON."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from gateway.clients.errors import InvalidTokenRequestError, UnsupportedGrantTypeError
from gateway.clients.repository import ClientRepository
from gateway.clients.schemas import TokenRead, TokenRequest
from gateway.clients.service import ClientService
from kit.database import SessionDep
from kit.problems import UnprocessableError, UnsupportedMediaTypeError, problem_responses, validation_errors

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def client_service(session: SessionDep) -> ClientService:
    return ClientService(ClientRepository(session))


async def _token_request(request: Request) -> TokenRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    data: Any
    try:
        if content_type == "application/json":
            data = json.loads(raw or b"{}")
        elif content_type == "application/x-www-form-urlencoded":
            pairs = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            data = {k: v[-1] for k, v in pairs.items()}
        else:
            raise UnsupportedMediaTypeError("Send application/x-www-form-urlencoded or application/json.")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidTokenRequestError("The body could not be parsed.") from exc
    if not isinstance(data, dict):
        raise InvalidTokenRequestError("The body must be an object of token request fields.")
    if "grant_type" in data and data["grant_type"] != "client_credentials":
        # RFC 6749 section 5.2 names this error; it is a 400, not a validation 422.
        raise UnsupportedGrantTypeError("grant_type must be client_credentials.")
    try:
        return TokenRequest.model_validate(data)
    except ValidationError as exc:
        errors = validation_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
        raise UnprocessableError("The token request is not valid; see errors.", errors=errors) from exc


_TOKEN_BODY = {
    "required": True,
    "content": {
        media: {"schema": {"$ref": "#/components/schemas/TokenRequest"}}
        for media in ("application/x-www-form-urlencoded", "application/json")
    },
}


@router.post(
    "/token",
    response_model=TokenRead,
    summary="Issue an access token (OAuth2 client credentials)",
    description="Exchange `client_id` and `client_secret` for a short-lived signed JWT carrying the client's "
    "scopes and region. `scope` may ask for a subset of the client's scopes.",
    openapi_extra={"requestBody": _TOKEN_BODY},
    responses=problem_responses(400, 401, 415, 422),
)
async def issue_token(
    request: Request, service: Annotated[ClientService, Depends(client_service)]
) -> TokenRead:
    body = await _token_request(request)
    return await service.issue_token(
        request.app.state.token_signer, grant_type=body.grant_type, client_id=body.client_id,
        client_secret=body.client_secret, scope=body.scope,
    )
