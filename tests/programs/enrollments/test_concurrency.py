"""Concurrent batches enrolling one household: they commit for real, so the database's unique index decides.

The household is registered through the real targeting service and committed too (the programs service checks
it there over its HTTP API); the `committing` fixture purges both afterwards."""

import asyncio

from sqlalchemy import text

from tests.programs.factories import create_agency, create_program, enrol


async def test_concurrent_batches_enrol_a_household_once(committing, auth, engine):
    household_id = await committing.register_household(auth(), "18.71.01.1003")
    client = committing.client
    agency = await create_agency(client, auth())
    committing.agency_ids.append(agency["id"])
    program = await create_program(client, auth(), agency["id"])
    committing.program_ids.append(program["id"])

    responses = await asyncio.gather(*(
        enrol(client, auth(client_id=f"district-{i}"), program["id"], household_ids=[household_id]) for i in range(6)
    ))

    bodies = [r.json() for r in responses]
    assert all(r.status_code == 200 for r in responses), bodies
    assert sorted(b["enrolled"] for b in bodies) == [0, 0, 0, 0, 0, 1]
    assert all(b["enrolled"] + b["already_enrolled"] == 1 and b["rejected"] == [] for b in bodies)
    async with engine.connect() as connection:
        rows = await connection.scalar(text("SELECT count(*) FROM programs.enrollment WHERE program_id = :p"),
                                       {"p": program["id"]})
        entries = await connection.scalar(text(
            "SELECT count(*) FROM programs.feed_entry WHERE type = 'enrollment.created' AND data->>'program_id' = :p"
        ), {"p": program["id"]})
    assert rows == 1 and entries == 1
