import time

import jwt
import pytest

from gateway.clients.repository import ClientRepository
from gateway.clients.service import ClientService
from tests.support import assert_problem


async def _client(connection, client_id="kab-bandar-lampung", region="18.71", scopes="registry:read pii:read"):
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as session:
        created = await ClientService(ClientRepository(session)).create(client_id, region=region, scopes=scopes)
        await session.commit()
    return created


class TestIssueToken:
    async def test_form_grant_returns_a_token_with_region_and_scopes(self, gateway, connection, keypair):
        created = await _client(connection)
        response = await gateway.post("/api/v1/auth/token", data={
            "grant_type": "client_credentials", "client_id": created.client_id,
            "client_secret": created.client_secret,
        })
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 900
        assert body["scope"] == "pii:read registry:read"
        claims = jwt.decode(body["access_token"], keypair[1], algorithms=["EdDSA"], audience="sinergi-api")
        assert claims["sub"] == "kab-bandar-lampung" and claims["region"] == "18.71"
        assert claims["exp"] - time.time() <= 900

    async def test_json_grant_may_narrow_scope(self, gateway, connection):
        created = await _client(connection)
        response = await gateway.post("/api/v1/auth/token", json={
            "grant_type": "client_credentials", "client_id": created.client_id,
            "client_secret": created.client_secret, "scope": "registry:read",
        })
        assert response.status_code == 200
        assert response.json()["scope"] == "registry:read"

    async def test_scope_beyond_grant_is_refused(self, gateway, connection):
        created = await _client(connection)
        response = await gateway.post("/api/v1/auth/token", json={
            "grant_type": "client_credentials", "client_id": created.client_id,
            "client_secret": created.client_secret, "scope": "admin",
        })
        assert_problem(response, 400, "invalid-scope")

    @pytest.mark.parametrize(("secret", "status"), [("wrong", 401), ("", 422)])
    async def test_wrong_or_empty_secret_is_refused(self, gateway, connection, secret, status):
        created = await _client(connection)
        response = await gateway.post("/api/v1/auth/token", data={
            "grant_type": "client_credentials", "client_id": created.client_id, "client_secret": secret,
        })
        assert_problem(response, status, "invalid-client" if status == 401 else "validation")

    async def test_unknown_client_is_401(self, gateway):
        response = await gateway.post("/api/v1/auth/token", data={
            "grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x",
        })
        assert_problem(response, 401, "invalid-client")

    async def test_revoked_client_gets_no_token(self, gateway, connection):
        from sqlalchemy.ext.asyncio import AsyncSession

        created = await _client(connection)
        async with AsyncSession(bind=connection, join_transaction_mode="create_savepoint") as session:
            await ClientService(ClientRepository(session)).revoke(created.client_id)
            await session.commit()
        response = await gateway.post("/api/v1/auth/token", data={
            "grant_type": "client_credentials", "client_id": created.client_id,
            "client_secret": created.client_secret,
        })
        assert_problem(response, 401, "invalid-client")

    async def test_other_grant_types_are_refused(self, gateway):
        response = await gateway.post("/api/v1/auth/token", data={
            "grant_type": "password", "client_id": "a", "client_secret": "b",
        })
        assert_problem(response, 400, "unsupported-grant-type")

    async def test_unknown_fields_are_422_with_pointer(self, gateway):
        response = await gateway.post("/api/v1/auth/token", json={
            "grant_type": "client_credentials", "client_id": "a", "client_secret": "b", "extra": 1,
        })
        body = assert_problem(response, 422, "validation")
        expected = {"pointer": "/extra", "detail": "Extra inputs are not permitted", "code": "extra_forbidden"}
        assert expected in body["errors"]

    async def test_other_media_types_are_415(self, gateway):
        response = await gateway.post("/api/v1/auth/token", content=b"x", headers={"content-type": "text/plain"})
        assert_problem(response, 415)

    async def test_stored_secret_is_hashed(self, connection):
        from sqlalchemy import text

        created = await _client(connection)
        stored = (await connection.execute(
            text("SELECT secret_hash FROM gateway.api_client WHERE client_id = :c"), {"c": created.client_id}
        )).scalar_one()
        assert created.client_secret not in stored and stored.startswith("scrypt$")


class TestTokenVerification:
    """Every service checks tokens itself: going around the gateway gains nothing."""

    @pytest.mark.parametrize("via", ["gateway", "targeting"])
    async def test_missing_token_is_401_everywhere(self, via, gateway, targeting):
        client = gateway if via == "gateway" else targeting
        response = await client.get("/api/v1/regions/18")
        body = assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "Bearer" in body["detail"]

    async def test_expired_token_is_401(self, targeting, keypair):
        token = jwt.encode({"iss": "sinergi", "aud": "sinergi-api", "sub": "x", "region": "18", "scope": "",
                            "exp": int(time.time()) - 5}, keypair[0], algorithm="EdDSA")
        response = await targeting.get("/api/v1/regions/18", headers={"Authorization": f"Bearer {token}"})
        assert "expired" in assert_problem(response, 401)["detail"]

    async def test_foreign_key_signature_is_401(self, targeting):
        from gateway.clients.keys import generate_keypair

        other_private, _ = generate_keypair()
        token = jwt.encode({"iss": "sinergi", "aud": "sinergi-api", "sub": "x", "region": "18", "scope": "",
                            "exp": int(time.time()) + 60}, other_private, algorithm="EdDSA")
        response = await targeting.get("/api/v1/regions/18", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)

    async def test_alg_none_is_401(self, targeting):
        token = jwt.encode({"iss": "sinergi", "aud": "sinergi-api", "sub": "x", "region": "18", "scope": "",
                            "exp": int(time.time()) + 60}, None, algorithm="none")
        response = await targeting.get("/api/v1/regions/18", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)

    async def test_wrong_audience_is_401(self, targeting, keypair):
        token = jwt.encode({"iss": "sinergi", "aud": "elsewhere", "sub": "x", "region": "18", "scope": "",
                            "exp": int(time.time()) + 60}, keypair[0], algorithm="EdDSA")
        response = await targeting.get("/api/v1/regions/18", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)
