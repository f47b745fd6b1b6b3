"""Bearer token verification and the typed principal (client, scopes, region) every endpoint receives."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from kit.problems import ForbiddenError, UnauthorizedError

ALGORITHM = "EdDSA"
PROVINCE_ROOT_CHARS = 2


def region_covers(ancestor: str, code: str) -> bool:
    """True when `code` is `ancestor` itself or lies in its subtree (dotted Kemendagri codes)."""
    return code == ancestor or code.startswith(ancestor + ".")


@dataclass(frozen=True, slots=True)
class Principal:
    client_id: str
    scopes: frozenset[str]
    region: str

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def can_read_pii(self) -> bool:
        return "pii:read" in self.scopes

    def covers(self, code: str | None) -> bool:
        return code is not None and region_covers(self.region, code)

    def narrow(self, requested: str | None) -> str:
        """The region a query runs over: the request's filter cut down to the token's subtree.

        A filter naming an ancestor of the token's region is narrowed to it; one disjoint from it is refused.
        """
        if requested is None or region_covers(requested, self.region):
            return self.region
        if region_covers(self.region, requested):
            return requested
        raise ForbiddenError(f"Region {requested} lies outside this client's region {self.region}.")


class TokenVerifier:
    """Verifies signature, expiry, issuer and audience; remembers good tokens until they expire."""

    def __init__(self, public_key: str, *, issuer: str, audience: str, cache_size: int = 4096) -> None:
        self._key = jwt.PyJWK.from_dict(_jwk_of(public_key)) if public_key.lstrip().startswith("{") else None
        self._pem = public_key
        self._issuer = issuer
        self._audience = audience
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._cache_size = cache_size

    def verify(self, token: str) -> Principal:
        now = time.time()
        hit = self._cache.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            claims = jwt.decode(
                token,
                self._key.key if self._key else self._pem,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iss", "aud", "sub", "region", "scope"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthorizedError("The access token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("The access token is not valid.") from exc
        region, scope = claims["region"], claims["scope"]
        if not isinstance(region, str) or not isinstance(scope, str) or not region:
            raise UnauthorizedError("The access token is not valid.")
        principal = Principal(client_id=str(claims["sub"]), scopes=frozenset(scope.split()), region=region)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = (float(claims["exp"]), principal)
        return principal


def _jwk_of(text: str) -> dict[str, Any]:
    import json

    return json.loads(text)


SCOPES = {
    "registry:read": "Read the registry (households, members, regions, feed, targeting).",
    "registry:write": "Create and change households and members; submit and verify change requests.",
    "registry:import": "Run bulk imports of DTKS/DTSEN files.",
    "registry:approve": "Approve change requests and record official designations.",
    "pii:read": "See NIK, No. KK, names and addresses unmasked.",
    "programs:read": "Read agencies, programmes, enrolments and deliveries.",
    "programs:write": "Register programmes, enrol, record deliveries and spending.",
    "reports:read": "Read reports.",
    "admin": "Administration: the audit trail and client management.",
}

# OAuth2 client credentials: the OpenAPI then lists, per operation, the scopes it needs.
oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/api/v1/auth/token", scopes=SCOPES)),
    scheme_name="OAuth2",
    description="Bearer JWT from POST /api/v1/auth/token (client credentials). Carries scopes and a region.",
    auto_error=False,
)


# Async on purpose: FastAPI runs plain-def dependencies in a thread pool, a cost on every request.
async def current_principal(
    request: Request, authorization: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("This endpoint needs an Authorization: Bearer token.")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(token.strip())
    request.state.principal = principal
    return principal


def require(*scopes: str) -> Callable[..., Principal]:
    """Dependency factory: the principal, refused with 403 unless it holds every one of `scopes`."""

    # A default, not an Annotated hint: with postponed annotations a closure variable cannot be resolved.
    async def dependency(principal: Principal = Security(current_principal, scopes=list(scopes))) -> Principal:
        missing = [s for s in scopes if not principal.has(s)]
        if missing:
            raise ForbiddenError(f"This operation needs the scope(s): {' '.join(missing)}.")
        return principal

    dependency.__name__ = "require_" + "_".join(s.replace(":", "_") for s in scopes)
    return dependency
