"""Client registration and the client-credentials grant."""

from __future__ import annotations

import asyncio
import re

from gateway.clients.errors import (
    ClientExistsError,
    ClientNotFoundError,
    InvalidClientError,
    InvalidScopeError,
    InvalidTokenRequestError,
    UnsupportedGrantTypeError,
)
from gateway.clients.keys import TokenSigner
from gateway.clients.models import ApiClient
from gateway.clients.repository import ClientRepository
from gateway.clients.schemas import ClientCreated, ClientRead, TokenRead
from gateway.clients.secrets import hash_secret, new_secret, verify_secret
from kit.auth import SCOPES as SCOPE_DESCRIPTIONS

SCOPES = tuple(SCOPE_DESCRIPTIONS)
REGION_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def parse_scopes(text: str) -> list[str]:
    scopes = sorted(set(text.split()))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise InvalidScopeError(f"Unknown scope(s): {' '.join(unknown)}. Known: {' '.join(SCOPES)}.")
    return scopes


class ClientService:
    def __init__(self, repository: ClientRepository) -> None:
        self.repository = repository

    async def create(self, client_id: str, *, region: str, scopes: str) -> ClientCreated:
        if not CLIENT_ID_PATTERN.match(client_id):
            raise InvalidTokenRequestError("client_id: letters, digits, '.', '_' or '-', at most 64.")
        if not REGION_PATTERN.match(region):
            raise InvalidTokenRequestError("region: a dotted Kemendagri code such as 18 or 18.71.")
        if await self.repository.get(client_id) is not None:
            raise ClientExistsError(f"Client {client_id} already exists.")
        granted = " ".join(parse_scopes(scopes))
        secret = new_secret()
        await self.repository.add(ApiClient(
            client_id=client_id, secret_hash=hash_secret(secret), region_code=region, scopes=granted
        ))
        return ClientCreated(client_id=client_id, client_secret=secret, region=region, scope=granted)

    async def provision(self, client_id: str, *, region: str, scopes: str) -> ClientCreated:
        """Create a system client, or give the existing one a new secret with these region and scopes.

        For the clients `sinergi run` manages (the reporting service's feed consumer): the secret lives only in
        the environment of the process it starts, and a revoked client stays revoked.
        """
        client = await self.repository.get(client_id)
        if client is None:
            return await self.create(client_id, region=region, scopes=scopes)
        granted = " ".join(parse_scopes(scopes))
        secret = new_secret()
        client.secret_hash, client.region_code, client.scopes = hash_secret(secret), region, granted
        await self.repository.session.flush()
        return ClientCreated(client_id=client_id, client_secret=secret, region=region, scope=granted)

    async def list_clients(self) -> list[ClientRead]:
        return [
            ClientRead(client_id=c.client_id, region=c.region_code, scope=c.scopes, created_at=c.created_at,
                       revoked_at=c.revoked_at)
            for c in await self.repository.list_all()
        ]

    async def revoke(self, client_id: str) -> None:
        if not await self.repository.revoke(client_id):
            raise ClientNotFoundError(f"No active client {client_id}.")

    async def issue_token(
        self, signer: TokenSigner, *, grant_type: str | None, client_id: str | None,
        client_secret: str | None, scope: str | None,
    ) -> TokenRead:
        if grant_type != "client_credentials":
            raise UnsupportedGrantTypeError("grant_type must be client_credentials.")
        if not client_id or not client_secret:
            raise InvalidClientError("client_id and client_secret are required.")
        client = await self.repository.get(client_id)
        # The scrypt check runs off the event loop; a missing client costs the same as a wrong secret.
        stored = client.secret_hash if client is not None else _DUMMY_HASH
        valid = await asyncio.to_thread(verify_secret, client_secret, stored)
        if client is None or not valid or client.revoked_at is not None:
            raise InvalidClientError("Unknown client or wrong secret.")
        granted = client.scopes.split()
        if scope:
            requested = parse_scopes(scope)
            if not set(requested) <= set(granted):
                raise InvalidScopeError("The requested scope exceeds what this client was granted.")
            granted = requested
        token = signer.sign(client_id=client.client_id, region=client.region_code, scopes=granted)
        return TokenRead(
            access_token=token, token_type="Bearer", expires_in=signer.ttl_seconds,  # noqa: S106 - a scheme name
            scope=" ".join(granted),
        )


_DUMMY_HASH = hash_secret(new_secret())
