"""POST/GET /api/v1/imports over HTTP, with the service's own worker running the jobs."""

import csv
import io

import httpx

from targeting.main import create_app
from targeting.settings import TargetingSettings
from tests.support import assert_problem
from tests.targeting import factories as f
from tests.targeting.imports import files

IMPORTER = "registry:import registry:read pii:read"


def _upload(households=None, members=None):  # type: ignore[no-untyped-def]
    parts = {}
    if households is not None:
        parts["households"] = ("households.csv", households.encode(), "text/csv")
    if members is not None:
        parts["members"] = ("members.csv", members.encode(), "text/csv")
    return parts


def _family_files():  # type: ignore[no-untyped-def]
    a, members = files.family()
    return a, _upload(files.households_text([a]), files.members_text(members))


class TestCreateImport:
    async def test_answers_202_with_location_then_the_worker_publishes(self, api, auth, worker, db):
        a, upload = _family_files()
        response = await api.post("/api/v1/imports", files=upload, headers=auth("18.71", IMPORTER, "imports-a"))
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["status"] == "queued" and response.headers["location"] == f"/api/v1/imports/{body['id']}"
        queued = (await api.get(response.headers["location"], headers=auth("18.71", IMPORTER, "imports-a"))).json()
        assert queued["status"] == "queued" and queued["files"]["households"]["name"] == "households.csv"
        assert await worker.run_pending() == 1
        done = (await api.get(response.headers["location"], headers=auth("18.71", IMPORTER, "imports-a"))).json()
        assert done["status"] == "succeeded", done
        assert (done["rows_total"], done["rows_processed"], done["households_inserted"], done["members_inserted"],
                done["households_updated"], done["members_updated"], done["rows_rejected"]) == (4, 4, 1, 3, 0, 0, 0)
        assert done["started_at"] and done["finished_at"] and done["failure_reason"] is None
        listed = await api.get("/api/v1/households", params={"region": a["region_code"], "limit": 1000},
                               headers=auth("18.71", IMPORTER))
        assert a["no_kk"] in {h["no_kk"] for h in listed.json()["items"]}
        audit = db.execute("SELECT action FROM targeting.audit_event WHERE %s = ANY(record_ids) ORDER BY id",
                           (body["id"],)).fetchall()
        assert audit == [("import.create",), ("import.publish",)]

    async def test_an_idempotency_key_replays_the_first_answer_and_refuses_other_files(self, api, auth, worker, db):
        _a, upload = _family_files()
        headers = auth("18", IMPORTER, "imports-b") | {"Idempotency-Key": "upload-1"}
        first = await api.post("/api/v1/imports", files=upload, headers=headers)
        again = await api.post("/api/v1/imports", files=upload, headers=headers)
        assert first.status_code == again.status_code == 202
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        assert db.execute("SELECT count(*) FROM targeting.import_job").fetchone() == (1,)
        _b, other = _family_files()
        assert_problem(await api.post("/api/v1/imports", files=other, headers=headers), 422, "idempotency-key-reused")

    async def test_needs_the_import_scope(self, api, auth):
        _a, upload = _family_files()
        assert_problem(await api.post("/api/v1/imports", files=upload, headers=auth("18", "registry:write")), 403)
        assert_problem(await api.get("/api/v1/imports", headers=auth("18", "registry:read")), 403)

    async def test_refuses_what_is_not_a_multipart_upload_of_our_parts(self, api, auth, db):
        headers = auth("18", IMPORTER, "imports-c")
        assert_problem(await api.post("/api/v1/imports", json={"households": "x"}, headers=headers), 415,
                       "import-media-type")
        assert_problem(await api.post("/api/v1/imports", data={"comment": "x"}, files={"other": ("a.csv", b"a")},
                                      headers=headers), 422, "import-upload-invalid")
        empty = await api.post("/api/v1/imports", content=b"--b--\r\n",
                               headers=headers | {"Content-Type": "multipart/form-data; boundary=b"})
        assert "households" in assert_problem(empty, 422, "import-upload-invalid")["detail"]
        blank = await api.post("/api/v1/imports", files={"households": ("h.csv", b"x"), "members": ("m.csv", b"")},
                               headers=headers)
        problem = assert_problem(blank, 422, "import-upload-invalid")
        assert "`members` file is empty" in problem["detail"] and problem["errors"][0]["pointer"] == "/members"
        assert db.execute("SELECT count(*) FROM targeting.import_job").fetchone() == (0,)

    async def test_a_body_over_the_import_limit_is_413(self, apps, auth):
        settings = TargetingSettings(database_url=apps.targeting.state.settings.database_url, import_max_bytes=1000,
                                     jwt_public_key=apps.targeting.state.settings.jwt_public_key)
        small = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://t") as client:
            response = await client.post("/api/v1/imports", files=_upload("x" * 5000), headers=auth("18", IMPORTER))
        assert_problem(response, 413, "payload-too-large")


class TestReadImports:
    async def test_a_job_belongs_to_its_region(self, api, auth, worker):
        _a, upload = _family_files()
        created = (await api.post("/api/v1/imports", files=upload, headers=auth("18.71", IMPORTER, "imports-d")))
        location = created.headers["location"]
        assert_problem(await api.get(location, headers=auth("18.01", IMPORTER)), 404, "import-not-found")
        assert_problem(await api.get(location + "/errors", headers=auth("18.01", IMPORTER)), 404)
        assert (await api.get(location, headers=auth("18", IMPORTER))).status_code == 200
        mine = (await api.get("/api/v1/imports", headers=auth("18.71", IMPORTER))).json()["items"]
        theirs = (await api.get("/api/v1/imports", headers=auth("18.01", IMPORTER))).json()["items"]
        assert [j["id"] for j in mine] == [created.json()["id"]] and theirs == []

    async def test_rows_outside_the_token_region_are_refused(self, api, auth, worker):
        outside, members = files.family(f.LAMPUNG_SELATAN_VILLAGE)
        created = await api.post("/api/v1/imports", files=_upload(files.households_text([outside]),
                                                                  files.members_text(members)),
                                 headers=auth("18.71", IMPORTER, "imports-e"))
        await worker.run_pending()
        job = (await api.get(created.headers["location"], headers=auth("18.71", IMPORTER))).json()
        assert job["status"] == "succeeded" and job["households_inserted"] == 0 and job["rows_rejected"] == 4
        errors = await api.get(created.headers["location"] + "/errors", headers=auth("18.71", IMPORTER))
        assert errors.status_code == 200 and errors.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(errors.text)))
        assert rows[0] == ["file", "line", "column", "code", "detail"]
        assert rows[1][:4] == ["households", "2", "region_code", "region_outside_scope"]
        assert [r[:4] for r in rows[2:]] == [["members", str(n), "no_kk", "family_refused"] for n in (2, 3, 4)]

    async def test_lists_newest_first_by_cursor(self, api, auth):
        ids = []
        for _ in range(3):
            _a, upload = _family_files()
            ids.append((await api.post("/api/v1/imports", files=upload, headers=auth("18", IMPORTER, "imports-f")))
                       .json()["id"])
        seen, cursor = [], None
        while True:
            page = (await api.get("/api/v1/imports", params={"limit": 2} | ({"cursor": cursor} if cursor else {}),
                                  headers=auth("18", IMPORTER))).json()
            seen += [j["id"] for j in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == ids[::-1]

    async def test_the_openapi_documents_both_dialects(self, api):
        spec = (await api.get("/openapi.json")).json()
        operation = spec["paths"]["/api/v1/imports"]["post"]
        assert "desil_nasional_keluarga" in operation["description"] and "welfare_decile" in operation["description"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert "text/csv" in spec["paths"]["/api/v1/imports/{import_id}/errors"]["get"]["responses"]["200"]["content"]
