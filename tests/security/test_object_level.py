"""Object-level authorization: district B (18.01) against the objects of district A (18.71), through the
gateway, wherever an operation names an object: in its path, its query, its body or a batch of ids, and in
every list. Built from the merged OpenAPI, so an operation with a new kind of id fails here until it is added.

Each refusal must look exactly like an id that does not exist (same status, same problem type, same body once
the id itself is blanked out), so a district learns nothing about another's records, and nothing changes.
DCI transaction ids, inside signed-envelope bodies, are checked in tests/targeting/dci/test_async.py."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from tests.programs import factories as pf
from tests.security.spec import ALL, operations
from tests.targeting import factories as f
from tests.targeting.imports import files

A, B = "18.71", "18.01"
NOT_IDS = {"code", "year"}  # path parameters that name a region or a year, not an object of a district
POOR = {"field": "welfare_decile", "op": "lte", "value": 2}


async def _created(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code in (201, 202), response.text
    return response.json()


async def _objects(gateway, headers, region: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One object of every kind an operation can name by id, all made by a client of `region`."""
    village = f.BANDAR_LAMPUNG_VILLAGE if region == A else f.LAMPUNG_SELATAN_VILLAGE
    household = await f.create(gateway, headers, region_code=village)
    agency = await pf.create_agency(gateway, headers, region)
    program = await pf.create_program(gateway, headers, agency["id"])
    enrolled = await pf.enrol(gateway, headers, program["id"], household_ids=[household["id"]])
    assert enrolled.status_code == 200 and enrolled.json()["enrolled"] == 1, enrolled.text
    delivered = await gateway.post(f"/api/v1/programs/{program['id']}/deliveries", headers=headers, json=[
        {"household_id": household["id"], "delivered_on": "2022-03-01", "value_idr": 250_000, "quantity": 1,
         "unit": "paket"}])
    assert delivered.status_code == 201, delivered.text
    partner = await _created(await gateway.post("/api/v1/partners", headers=headers,
                                                json={"name": "PT Pupuk", "kind": "state_enterprise"}))
    target_list = await _created(await gateway.post("/api/v1/target-lists", headers=headers, json={
        "name": "Desil 1-2", "criteria": POOR, "region": region}))
    request = await _created(await gateway.post("/api/v1/change-requests", headers=headers, json={
        "kind": "update_household", "household_id": household["id"], "payload": {"welfare_decile": 2},
        "reason": "Hasil musdes"}))
    head, members = files.family(village)
    job = await _created(await gateway.post("/api/v1/imports", headers=headers, files={
        "households": ("households.csv", files.households_text([head]).encode(), "text/csv"),
        "members": ("members.csv", files.members_text(members).encode(), "text/csv")}))
    return {"household_id": household["id"], "member_id": household["members"][0]["id"],
            "nik": household["members"][0]["nik"], "no_kk": household["no_kk"], "agency_id": agency["id"],
            "program_id": program["id"], "partner_id": partner["id"], "list_id": target_list["id"],
            "request_id": request["id"], "import_id": job["id"]}


@pytest.fixture
async def world(gateway, auth):  # type: ignore[no-untyped-def]
    return {A: await _objects(gateway, auth(A, ALL), A), B: await _objects(gateway, auth(B, ALL), B)}


def _absent(ids: dict[str, str]) -> dict[str, str]:
    return {name: str(uuid.uuid4()) if name.endswith("_id") else value for name, value in ids.items()}


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}",
                  lambda m: {"code": "18", "year": "2022"}.get(m.group(1)) or ids[m.group(1)], path)


# A body each write accepts, so that the object lookup, not validation, decides the answer.
BODIES = {
    "/api/v1/households/{household_id}": {"welfare_decile": 3},
    "/api/v1/households/{household_id}/deactivate": {"reason": "moved"},
    "/api/v1/households/{household_id}/members": f.member("child", born=date(2015, 2, 3)),
    "/api/v1/households/{household_id}/members/{member_id}": {"name": "Rina Wati"},
    "/api/v1/change-requests/{request_id}/verify": {"note": "cek lapangan"},
    "/api/v1/change-requests/{request_id}/approve": {"note": "setuju"},
    "/api/v1/change-requests/{request_id}/reject": {"note": "tolak"},
    "/api/v1/agencies/{agency_id}": {"name": "Dinas Sosial Lain"},
    "/api/v1/programs/{program_id}": {"name": "Program Lain"},
    "/api/v1/programs/{program_id}/spending": [{"period": "2022-03", "amount_idr": 1}],
}


def _body(path: str, ids: dict[str, str]):  # type: ignore[no-untyped-def]
    if path.endswith("/enrollments"):
        return {"household_ids": [ids["household_id"]]}
    if path.endswith("/deliveries"):
        return [{"household_id": ids["household_id"], "delivered_on": "2022-04-01", "value_idr": 1, "quantity": 1,
                 "unit": "paket"}]
    return BODIES.get(path)


def _seen(response, ids: dict[str, str]) -> tuple:  # type: ignore[no-untyped-def]
    """An answer with the ids it was asked about blanked out, so that two answers can be compared."""
    text = response.text
    for value in ids.values():
        text = text.replace(value, "<id>")
    text = re.sub(r'"request_id":\s*"[^"]*"', '"request_id": "<r>"', text)
    return response.status_code, response.headers.get("content-type"), text


async def _call(gateway, headers, method: str, path: str, ids: dict[str, str]):  # type: ignore[no-untyped-def]
    body = _body(path, ids) if method != "get" else None
    params = {"against": ids["list_id"]} if path.endswith("/diff") else None
    return await gateway.request(method.upper(), _fill(path, ids), params=params, json=body,
                                 headers=headers | {"If-Match": '"1"'})


def _reads(ids: dict[str, str]) -> list[str]:
    return [f"/api/v1/households/{ids['household_id']}", f"/api/v1/agencies/{ids['agency_id']}",
            f"/api/v1/programs/{ids['program_id']}", f"/api/v1/programs/{ids['program_id']}/enrollments",
            f"/api/v1/programs/{ids['program_id']}/deliveries", f"/api/v1/programs/{ids['program_id']}/spending",
            f"/api/v1/change-requests/{ids['request_id']}"]


async def test_every_path_id_of_another_district_answers_as_if_absent_and_changes_nothing(gateway, auth, world):
    spec = (await gateway.get("/openapi.json")).json()
    mine, other = world[A], auth(B, ALL)
    known, checked = set(mine) - {"nik", "no_kk"}, []
    before = {path: (await gateway.get(path, headers=auth(A, ALL))).json() for path in _reads(mine)}
    for path, method, _operation in operations(spec):
        names = set(re.findall(r"\{([^}:]+)", path)) - NOT_IDS
        if not names:
            continue
        assert names <= known, f"{method} {path}: an id this test cannot make; add it to _objects"
        absent = _absent(mine)
        theirs = await _call(gateway, other, method, path, mine)
        nothing = await _call(gateway, other, method, path, absent)
        assert theirs.status_code == 404, (method, path, theirs.status_code, theirs.text[:200])
        assert _seen(theirs, mine) == _seen(nothing, absent), (method, path)
        checked.append((method, path))
    after = {path: (await gateway.get(path, headers=auth(A, ALL))).json() for path in _reads(mine)}
    assert after == before
    assert len(checked) >= 25, checked


# Operations that take an id in the query or the body: (method, path with B's own ids, query, body), each
# called by B once with A's ids and once with ids that do not exist.
def _carried(own: dict[str, str], ids: dict[str, str]) -> list[tuple[str, str, dict, object]]:
    program = f"/api/v1/programs/{own['program_id']}"
    return [
        ("get", "/api/v1/interventions", {"household_id": ids["household_id"]}, None),
        ("get", "/api/v1/programs", {"agency_id": ids["agency_id"]}, None),
        ("get", "/api/v1/reports/program-evaluation", {"agency_id": ids["agency_id"], "fiscal_year": 2022}, None),
        ("get", "/api/v1/audit", {"record_id": ids["household_id"]}, None),
        ("get", f"/api/v1/target-lists/{own['list_id']}/diff", {"against": ids["list_id"]}, None),
        ("post", "/api/v1/households/lookup", {}, {"household_ids": [ids["household_id"]]}),
        ("post", "/api/v1/change-requests", {}, {"kind": "update_household", "household_id": ids["household_id"],
                                                 "payload": {"welfare_decile": 3}, "reason": "x"}),
        ("post", "/api/v1/change-requests", {}, {"kind": "update_member", "household_id": own["household_id"],
                                                 "member_id": ids["member_id"], "payload": {"name": "X"},
                                                 "reason": "x"}),
        ("post", f"{program}/enrollments", {}, {"household_ids": [ids["household_id"]]}),
        ("post", f"{program}/enrollments", {}, {"target_list_id": ids["list_id"]}),
        ("post", f"{program}/deliveries", {}, [{"household_id": ids["household_id"], "delivered_on": "2022-05-01",
                                                "value_idr": 1, "quantity": 1, "unit": "paket"}]),
    ]


async def test_ids_of_another_district_in_a_query_or_a_body_answer_as_if_absent(gateway, auth, world):
    mine, own, other = world[A], world[B], auth(B, ALL)
    absent = _absent(mine)
    for (method, path, params, body), (_m, _p, params0, body0) in zip(_carried(own, mine), _carried(own, absent),
                                                                       strict=True):
        theirs = await gateway.request(method.upper(), path, params=params, json=body, headers=other)
        nothing = await gateway.request(method.upper(), path, params=params0, json=body0, headers=other)
        assert _seen(theirs, mine) == _seen(nothing, absent), (method, path, params, body, theirs.text[:300])
    # The same calls by A do reach A's records: the comparison above can tell them apart.
    reached = await gateway.get("/api/v1/interventions", params={"household_id": mine["household_id"]},
                                headers=auth(A, ALL))
    assert len(reached.json()["enrollments"]) == 1
    looked_up = await gateway.post("/api/v1/households/lookup", json={"household_ids": [mine["household_id"]]},
                                   headers=auth(A, ALL))
    assert looked_up.json()["items"][0]["status"] == "active", looked_up.text


async def test_no_list_feed_or_report_shows_another_districts_records(gateway, auth, world):
    """Every GET without a path id, as B: none of A's ids, NIKs or No. KKs appears in the answer; as A, the
    lists that hold them do show them."""
    spec = (await gateway.get("/openapi.json")).json()
    mine = world[A]
    shown: dict[str, set[str]] = {}
    for path, method, _operation in operations(spec):
        if method != "get" or "{" in path:
            continue
        for region in (A, B):
            params = {} if path.startswith("/api/v1/reports") else {"limit": 1000}
            response = await gateway.get(path, params=params, headers=auth(region, ALL))
            found = {name for name, value in mine.items() if value in response.text}
            if region == B:
                assert found == set(), (path, found)
            else:
                shown[path] = found
    assert {"household_id", "no_kk"} <= shown["/api/v1/households"]
    assert "household_id" in shown["/api/v1/feeds/registry"]
    assert {"program_id", "household_id"} <= shown["/api/v1/feeds/programs"]
    assert "program_id" in shown["/api/v1/programs"] and "agency_id" in shown["/api/v1/agencies"]
    assert "list_id" in shown["/api/v1/target-lists"] and "request_id" in shown["/api/v1/change-requests"]
    assert "import_id" in shown["/api/v1/imports"] and "partner_id" in shown["/api/v1/partners"]
