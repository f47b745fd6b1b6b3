from sqlalchemy import text

from tests.programs.factories import agency_body
from tests.support import assert_problem


class TestIdempotencyKey:
    async def test_a_replay_returns_the_first_response_and_creates_nothing_more(self, programs, auth, connection):
        body = agency_body()
        headers = auth() | {"Idempotency-Key": "create-dinsos-1"}
        first = await programs.post("/api/v1/agencies", json=body, headers=headers)
        again = await programs.post("/api/v1/agencies", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        count = await connection.scalar(text("SELECT count(*) FROM programs.agency WHERE code = :c"),
                                        {"c": body["code"]})
        assert count == 1

    async def test_field_order_does_not_matter(self, programs, auth):
        body = agency_body()
        headers = auth() | {"Idempotency-Key": "k"}
        first = await programs.post("/api/v1/agencies", json=body, headers=headers)
        again = await programs.post("/api/v1/agencies", json=dict(reversed(body.items())), headers=headers)
        assert again.json()["id"] == first.json()["id"]

    async def test_the_same_key_with_another_body_is_422(self, programs, auth, connection):
        headers = auth() | {"Idempotency-Key": "k"}
        await programs.post("/api/v1/agencies", json=agency_body(), headers=headers)
        other = agency_body()
        response = await programs.post("/api/v1/agencies", json=other, headers=headers)
        assert_problem(response, 422, "idempotency-key-reused")
        count = await connection.scalar(text("SELECT count(*) FROM programs.agency WHERE code = :c"),
                                        {"c": other["code"]})
        assert count == 0

    async def test_the_same_key_on_another_endpoint_is_422(self, programs, auth):
        headers = auth() | {"Idempotency-Key": "k"}
        await programs.post("/api/v1/agencies", json=agency_body(), headers=headers)
        response = await programs.post("/api/v1/partners", json={"name": "PT X", "kind": "private_company"},
                                       headers=headers)
        assert_problem(response, 422, "idempotency-key-reused")

    async def test_keys_belong_to_one_client(self, programs, auth):
        body = agency_body()
        key = {"Idempotency-Key": "k"}
        first = await programs.post("/api/v1/agencies", json=body, headers=auth(client_id="a") | key)
        other = await programs.post("/api/v1/agencies", json=body, headers=auth(client_id="b") | key)
        assert first.status_code == 201
        assert_problem(other, 409, "agency-code-taken")

    async def test_a_refused_request_does_not_use_up_its_key(self, programs, auth):
        headers = auth("18.71") | {"Idempotency-Key": "k"}
        refused = await programs.post("/api/v1/agencies", json=agency_body("18.01"), headers=headers)
        assert_problem(refused, 403, "agency-outside-region")
        retried = await programs.post("/api/v1/agencies", json=agency_body("18.71"), headers=headers)
        assert retried.status_code == 201


class TestRetention:
    async def test_a_key_older_than_a_day_starts_a_new_request(self, programs, auth, connection):
        headers = auth() | {"Idempotency-Key": "old-key"}
        first = await programs.post("/api/v1/agencies", json=agency_body(), headers=headers)
        await connection.execute(text("UPDATE programs.idempotency_key SET created_at = now() - interval '25 hours' "
                                      "WHERE key = 'old-key'"))
        other = await programs.post("/api/v1/agencies", json=agency_body(), headers=headers)
        assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
        assert "idempotent-replayed" not in other.headers
        # Within the day the new record replays.
        again = await programs.post("/api/v1/agencies", json={k: v for k, v in other.json().items()
                                                              if k in agency_body()}, headers=headers)
        assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == other.json()["id"]

    async def test_claiming_a_new_key_deletes_expired_records(self, programs, auth, connection):
        for i in range(3):
            await programs.post("/api/v1/agencies", json=agency_body(), headers=auth() | {"Idempotency-Key": f"e{i}"})
        await connection.execute(text("UPDATE programs.idempotency_key SET created_at = now() - interval '2 days' "
                                      "WHERE key IN ('e0', 'e1')"))
        await programs.post("/api/v1/agencies", json=agency_body(), headers=auth() | {"Idempotency-Key": "fresh"})
        keys = set((await connection.scalars(text("SELECT key FROM programs.idempotency_key"))).all())
        assert {"e2", "fresh"} <= keys and not {"e0", "e1"} & keys
