"""How the DCI interface describes itself in our OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

DCI_TAG = {"name": "dci", "description": (
    "The DCI Social Registry API v1.0.0 for social-protection systems (SP-MIS) that speak the standard. "
    "Full notes, with every query attribute, in docs/dci.md.\n\n"
    "**Auth and scope.** Bearer tokens from `POST /api/v1/auth/token` with `registry:read`; `header.sender_id` "
    "must be the token's client_id. Every search runs inside the token's region subtree. Without `pii:read`, NIK "
    "and No. KK are masked (`************1234`), names reduced to initials and addresses left out. Every record "
    "disclosed is written to the audit trail. 401 and 403 answer problem+json like the rest of the API, not the "
    "standard's HttpErrorResponse (which requires no field, so a problem body satisfies it too).\n\n"
    "**Refusals, in the standard's three layers.** (1) A message that cannot be taken in: HTTP 400 (404 for "
    "txn/status of an unknown transaction) with the acknowledgement `ack_status: ERR` and the Error object: "
    "err.request.bad (not JSON, or not the envelope's schema), err.version.not_supported, err.encryption.invalid, "
    "err.sender_id.invalid, err.receiver_id.invalid, err.sender_uri.invalid, err.request.not_found. (2) A header "
    "that is wrong: sync endpoints answer 200 with `header.status: rjct` and a MsgHeaderStatusReasonCode "
    "(rjct.action.invalid, rjct.message_ts.invalid, rjct.total_count.invalid, rjct.total_count.limit_exceeded, "
    "rjct.message_id.duplicate, rjct.action.not_supported); the async endpoints answer those as err.request.bad "
    "with the rjct code at the start of `error.message`. (3) One search request that is wrong: that item alone "
    "gets `status: rjct` and a SearchStatusReasonCode (rjct.reference_id.invalid, rjct.reference_id.duplicate, "
    "rjct.timestamp.invalid, rjct.search_criteria.invalid, rjct.filter.invalid, rjct.sort.invalid, "
    "rjct.pagination.invalid, rjct.search.too_many_records_found); the others still run. Signatures are accepted "
    "and not verified; encrypted messages are refused.\n\n"
    "**Records.** A household is a DCI Group (`group_identifier` NO_KK, `poverty_score` the welfare decile, "
    "`member_list` its active members, region, extreme-poverty flag and housing in `additional_attributes`); a "
    "member is a DCI Member whose `demographic_info` is a DCI Person (NIK, name, sex, birth date). "
    "`response_entity` Group (default) or Member, or `reg_type` Person, picks what comes back.\n\n"
    "**Queries.** idtype-value with `type` NIK or NO_KK; predicate lists (`expression1 [and|or|not "
    "expression2]`, items all must hold; `in` takes a comma-separated string); expression with `type` "
    "ns:org:QueryType:NoSql and a MongoDB-style query, as in the standard's example. Active records only unless "
    "the query names `status`. `pagination` pages (page_size up to 1000); without it an item answers at most "
    "1000 records or rjct.search.too_many_records_found.\n\n"
    "**Where the standard contradicts itself** we follow its examples (docs/dci.md, \"Choices\"): "
    "(1) $refs that point through other $refs, and (2) overlapping oneOf branches (integer and number; "
    "expression and identifier queries; transaction and correlation ids), are read as meant: every branch is "
    "accepted. (3) locale: two or three letters, as the example `en`, not the pattern's three; ignored. "
    "(4) consent and authorize have no fields: any object, not evaluated. (5) The typos timesstamp, "
    "sunscription_codes and subscibe belong to subscriptions, which are not offered; txn/status answers "
    "txn_type search only. (6) reg_records: Group by default, Member by response_entity, Person by reg_type or "
    "collection. (7) txn_status is the SearchResponse the spec keeps under an `example` keyword; txn_type "
    "`search` as in the social file. (8) Record types prefixed throughout (spdci:Group, spdci:Member, "
    "spdci:SRPerson) and the majority spelling of each field. (9) name.surname, not sur_name. (10) sex "
    "male/female. (11) birth_date as the Group example, `1985-05-20T00:00:00Z` (the date at midnight UTC). "
    "(12) additional_attributes as the example's one-key objects. (13) Predicate `in` takes a comma-separated "
    "string. (14) Page numbers must be whole. (15) err.version.not_supported, not rjct.version.invalid. "
    "(16) Predicate items all must hold; condition joins the two expressions of one item. (17) reg_event_type "
    "is accepted and ignored. (18) 401/403 are problem+json. (19) Refusals carry a fresh correlation_id."
)}


def without_validation_problems(app: FastAPI) -> None:
    """The DCI routes never answer 422 (schema errors are err.request.bad) and answer an unparseable body with
    their own ERR envelope (the `default` response): drop the kit's 422 and document both 400 bodies."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for path, item in schema.get("paths", {}).items():
            if path.startswith("/dci/"):
                for operation in item.values():
                    responses = operation.get("responses", {})
                    responses.pop("422", None)
                    default = responses.get("default", {}).get("content", {})
                    if "400" in responses and "application/json" in default:
                        # A message we can parse is refused in the DCI envelope; bytes that are not JSON at
                        # all never reach the DCI layer and get the API's problem document.
                        responses["400"] = {
                            "description": "Refused: the DCI ERR envelope, or a problem document when the body is "
                            "not JSON at all.",
                            "content": {"application/json": default["application/json"],
                                        **responses["400"].get("content", {})},
                        }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
