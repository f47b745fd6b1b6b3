"""/api/v1/imports: bulk DTKS/DTSEN uploads run as background jobs."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import StreamingResponse

from kit.idempotency import IdempotencyKeyHeader
from kit.pagination import Cursor, InvalidCursorError, Limit, Page, decode_cursor, encode_cursor
from kit.problems import problem_responses
from targeting.imports.dependencies import ImportServiceDep
from targeting.imports.dialects import describe
from targeting.imports.loader import PLAN_CODES
from targeting.imports.schemas import ImportAccepted, ImportRead, import_read

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

_SET_WISE = ", ".join(f"`{code}` ({detail[0].lower() + detail[1:].rstrip('.')})" for code, detail in PLAN_CODES.items())
CREATE_DESCRIPTION = f"""
Upload a `households` and/or a `members` CSV (multipart/form-data) to upsert into the registry. The answer
is `202 Accepted` with `Location` at once; a job validates every row with the same rules as the API and
publishes all accepted rows in one transaction (all at once or nothing), then `GET /api/v1/imports/{{id}}`
says `succeeded` or `failed`. Needs `registry:import`; rows outside the token's region are refused.

**Files.** UTF-8 with or without BOM; comma or semicolon separated (taken from the header line); header
on line 1 (an empty file is refused at once, 422). An empty cell is null (booleans: false); a column absent
from the header leaves that field as stored. Identifiers are read as text: a NIK or No. KK that Excel turned
into a number is refused (`nik_excel_mangled`, `no_kk_excel_mangled`).

**Matching.** Households by No. KK, members by NIK, among active records: none → insert, one → update
(a member may move to another family), more → refused (`ambiguous_match`). A row equal to what is stored
changes nothing and emits no feed entry, so importing the same file again is a no-op. Members link to their
family by `no_kk`: a family in the households file or already in the registry (in the token's region).
Every insert and real update emits household.created/updated or member.created/updated on the registry
feed with `import_id` set.

**Refusals** (per line and column in `GET /api/v1/imports/{{id}}/errors`): the API's field codes
(`nik_format`, `nik_date_invalid`, `nik_serial_zero`, `nik_region_unknown`, `nik_excel_mangled`, `no_kk_*`,
`region_format`, `region_unknown`, `region_outside_scope`, `decile_range`, `floor_area_range`,
`birth_date_future`, `birth_date_range`, `control_characters`, `too_long`), `code_unknown`, `required`,
`number_invalid`, `date_invalid`, `encoding_invalid`, `column_count`, `csv_malformed`; header problems
(`missing_column`, `unknown_column`, `duplicate_column`, `dialect_unknown`: the job fails); and across rows:
{_SET_WISE}.

**Dialects**, detected per file from its header:

{describe()}
"""

MULTIPART_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "properties": {
        "households": {"type": "string", "format": "binary", "description": "Households CSV (one row per family)."},
        "members": {"type": "string", "format": "binary", "description": "Members CSV (one row per person)."},
    },
}}}}}


@router.post("", status_code=202, response_model=ImportAccepted, summary="Import DTKS/DTSEN files",
             description=CREATE_DESCRIPTION, openapi_extra=MULTIPART_BODY,
             responses={**problem_responses(401, 403, 413, 415, 422),
                        202: {"description": "Queued; follow `Location`.",
                              "headers": {"Location": {"schema": {"type": "string"}}}}})
async def create_import(request: Request, service: ImportServiceDep, background: BackgroundTasks,
                        idempotency_key: IdempotencyKeyHeader = None) -> Any:
    response, created = await service.accept(request.stream(), request.headers.get("content-type"),
                                             idempotency_key, request.url.path)
    worker = getattr(request.app.state, "import_worker", None)
    if created and worker is not None:
        background.add_task(worker.wake)  # after the response, i.e. after the job row is committed
    return response


@router.get("", response_model=Page[ImportRead], summary="List imports",
            description="Newest first; jobs of the token's region (and of regions inside it).",
            responses=problem_responses(401, 403, 422))
async def list_imports(service: ImportServiceDep, limit: Limit = 50, cursor: Cursor = None) -> Page[ImportRead]:
    key = decode_cursor(cursor, arity=1)
    rows = await service.list(before=_uuid(key[0]) if key else None, limit=limit + 1)
    items = [import_read(job) for job in rows[:limit]]
    return Page[ImportRead](items=items, next_cursor=encode_cursor([str(items[-1].id)]) if len(rows) > limit
                            else None)


@router.get("/{import_id}", response_model=ImportRead, summary="Read an import job",
            description="Status, progress and counts. A job outside the token's region answers 404.",
            responses=problem_responses(401, 403, 404, 422))
async def get_import(import_id: uuid.UUID, service: ImportServiceDep) -> ImportRead:
    return import_read(await service.read(import_id))


@router.get("/{import_id}/errors", response_class=StreamingResponse, summary="Download an import's refused rows",
            description="`text/csv` with `file,line,column,code,detail`: `file` is households or members, "
            "`line` the physical line (the header is line 1), `column` as written in the file's header "
            "(empty for a whole row), `code` one of the stable refusal codes listed under POST /api/v1/imports. "
            "Values are never echoed. Ordered by file, line.",
            responses={**problem_responses(401, 403, 404, 422),
                       200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "The problems as CSV."}})
async def get_import_errors(import_id: uuid.UUID, request: Request, service: ImportServiceDep) -> StreamingResponse:
    rows = await service.problems_csv(import_id, request.app.state.sessionmaker)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'})


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc
