"""N concurrent PATCHes carrying one If-Match value: exactly one wins (real commits, real pool)."""

import asyncio

import httpx
from sqlalchemy import text

from tests.targeting import factories as f

N = 8


async def _purge(engine, household_id: str) -> None:
    async with engine.begin() as connection:
        for sql in (
            "DELETE FROM targeting.registry_change WHERE household_id = :h",
            "DELETE FROM targeting.member WHERE household_id = :h",
            "DELETE FROM targeting.household WHERE id = :h",
        ):
            await connection.execute(text(sql), {"h": household_id})


class TestConcurrentPatch:
    async def test_exactly_one_of_n_concurrent_patches_with_one_etag_wins(self, apps, auth, engine):
        transport = httpx.ASGITransport(app=apps.targeting)
        async with httpx.AsyncClient(transport=transport, base_url="http://targeting") as client:
            created = await f.create(client, auth())
            try:
                url = f"/api/v1/households/{created['id']}"
                responses = await asyncio.gather(*(
                    client.patch(url, json={"welfare_decile": 2 + i}, headers=auth() | {"If-Match": '"1"'})
                    for i in range(N)))
                statuses = sorted(r.status_code for r in responses)
                assert statuses == [200] + [412] * (N - 1), [r.text for r in responses]
                winner = next(r.json() for r in responses if r.status_code == 200)
                final = (await client.get(url, headers=auth())).json()
                assert final["version"] == 2 and final["welfare_decile"] == winner["welfare_decile"]
                async with engine.connect() as connection:
                    updates = (await connection.execute(text(
                        "SELECT count(*) FROM targeting.registry_change WHERE household_id = :h "
                        "AND type = 'household.updated'"), {"h": created["id"]})).scalar_one()
                assert updates == 1
            finally:
                await _purge(engine, created["id"])
