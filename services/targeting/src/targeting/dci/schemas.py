"""Wire format of the DCI Social Registry API v1.0.0: the envelope (signature, header, message), search and
txn-status messages, acknowledgements, and the Group, Member and Person records our registry answers with.

Request models mirror the standard's schemas but refuse unknown fields, like the rest of our API; free-form
objects of the standard (meta, consent, authorize, expression values) stay free-form. Response models are
what the service builds and what the OpenAPI document shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

DATE_TIME = {"format": "date-time"}
LOCALE_PATTERN = r"^[a-z]{2,3}$"

HeaderReasonCode = Literal[
    "rjct.version.invalid", "rjct.message_id.duplicate", "rjct.message_ts.invalid", "rjct.action.invalid",
    "rjct.action.not_supported", "rjct.total_count.invalid", "rjct.total_count.limit_exceeded", "rjct.errors.too_many",
]
SearchReasonCode = Literal[
    "rjct.reference_id.invalid", "rjct.reference_id.duplicate", "rjct.timestamp.invalid",
    "rjct.search_criteria.invalid", "rjct.filter.invalid", "rjct.sort.invalid", "rjct.pagination.invalid",
    "rjct.search.too_many_records_found",
]
ErrorCode = Literal[
    "err.request.bad", "err.request.unauthorized", "err.request.forbidden", "err.request.not_found",
    "err.request.timeout", "err.version.not_supported", "err.request.too_many_requests", "err.sender_id.invalid",
    "err.sender_uri.invalid", "err.receiver_id.invalid", "err.signature.missing", "err.signature.invalid",
    "err.encryption.invalid", "err.service.unavailable",
]
RequestStatus = Literal["rcvd", "pdng", "succ", "rjct"]


class DciIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DciOut(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


# --- requests -------------------------------------------------------------------------------------------


class RequestHeader(DciIn):
    """MsgHeader_V1.0.0."""

    version: str = Field(default="1.0.0", max_length=16, description="Only 1.0.0 (else err.version.not_supported).")
    message_id: str = Field(min_length=1, max_length=128, description="Unique per sender; a repeat is refused "
                            "(rjct.message_id.duplicate).")
    message_ts: str = Field(max_length=64, json_schema_extra=DATE_TIME,
                            description="RFC 3339 with an offset (else rjct.message_ts.invalid).")
    action: str = Field(max_length=32, description="`search` or `txn-status`, as the endpoint (else "
                        "rjct.action.invalid).")
    sender_id: str = Field(min_length=1, max_length=128, description="Your client_id (else err.sender_id.invalid).")
    sender_uri: str | None = Field(default=None, max_length=2048, description="Async endpoints: the callback URL "
                                   "the answer is POSTed to; must lie under a prefix registered for your client.")
    receiver_id: str | None = Field(default=None, max_length=128, description="When sent, our registry id.")
    total_count: int = Field(description="Number of requests in the message.")
    is_msg_encrypted: bool = Field(default=False, description="Encryption is not offered: true is refused.")
    meta: dict[str, Any] | None = None


class EncryptionHeader(BaseModel):
    alg: str
    enc: str
    kid: str


class EncryptedMessage(BaseModel):
    """Recognised only to be refused with err.encryption.invalid: no encryption keys are exchanged."""

    header: EncryptionHeader
    ciphertext: str
    encrypted_key: str
    tag: str
    iv: str


class RequestPagination(DciIn):
    page_size: float = Field(description="1 to the configured maximum (1000 by default).")
    page_number: float = Field(default=1, description="Counting from 1.")


class SortItem(DciIn):
    attribute_name: str = Field(max_length=64, description="A sortable attribute (docs/dci.md).")
    sort_order: Literal["asc", "desc"] = "asc"


AttributeValue = str | int | float | bool | dict[str, Any]


class Predicate(DciIn):
    """ExpPredicate: `attribute_name operator attribute_value`. `in` takes a comma-separated string."""

    attribute_name: str = Field(max_length=64)
    operator: Literal["gt", "lt", "eq", "ge", "le", "in"]
    attribute_value: AttributeValue


class PredicateWithCondition(DciIn):
    """`expression1` alone, or `expression1 and|or expression2`, `expression1 not expression2` (= and not), or
    `not` with `expression1` alone. Items of the list must all hold."""

    seq_num: float | None = None
    expression1: Predicate
    condition: Literal["and", "or", "not"] | None = None
    expression2: Predicate | None = None


class IdentifierTypeValue(DciIn):
    """idtype-value: `type` NIK or NO_KK (alias KK), `value` the 16 digits."""

    type: str = Field(max_length=64, examples=["NIK"])
    value: AttributeValue = Field(examples=["1871015708450001"])


class ExpressionQuery(DciIn):
    """expression: `type` ns:org:QueryType:NoSql (or NoSql), `value` {"expression": {"collection", "query"}} with a
    MongoDB-style query ($and, $or, $nor, $eq, $ne, $lt, $lte, $gt, $gte, $in, $nin, $not)."""

    type: str = Field(max_length=64, examples=["ns:org:QueryType:NoSql"])
    value: dict[str, Any]


class SearchCriteria(DciIn):
    version: str = Field(default="1.0.0", max_length=16)
    reg_type: str | None = Field(default=None, max_length=64, description="Registry-core field, accepted here to "
                                 "pick the record type: Group or Person.")
    reg_event_type: Literal["REGISTER", "NewHouseHoldMember"] | None = Field(
        default=None, description="Accepted and ignored: a search reads the registry as it stands.")
    query_type: Literal["idtype-value", "expression", "predicate"]
    response_entity: Literal["Group", "Member"] | None = Field(default=None, description="Group (default) or Member.")
    query: IdentifierTypeValue | ExpressionQuery | list[PredicateWithCondition]
    sort: list[SortItem] | None = Field(default=None, max_length=5)
    pagination: RequestPagination | None = None
    consent: dict[str, Any] | None = Field(default=None, description="Accepted, not evaluated: access follows the "
                                           "token's scopes and region, and is audited.")
    authorize: dict[str, Any] | None = Field(default=None, description="Accepted, not evaluated.")


class SearchRequestItem(DciIn):
    reference_id: str = Field(max_length=200, description="Unique within the message, at most 99 characters "
                              "(else rjct.reference_id.*).")
    timestamp: str = Field(max_length=64, json_schema_extra=DATE_TIME)
    search_criteria: SearchCriteria
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, description="ISO 639-1 or 639-3; ignored.")


class SearchRequest(DciIn):
    transaction_id: str = Field(min_length=1, max_length=99)
    search_request: list[SearchRequestItem]


class TxnStatusQuery(DciIn):
    reference_id: str = Field(max_length=200)
    txn_type: str = Field(max_length=32, description="Only `search` (else rjct.action.not_supported).")
    attribute_type: Literal["transaction_id", "reference_id_list", "correlation_id"]
    attribute_value: str | list[Annotated[str, Field(max_length=200)]] = Field(
        description="A transaction_id or correlation_id; or reference_ids looked up within this message's "
        "transaction_id.")
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN)


class TxnStatusRequest(DciIn):
    transaction_id: str = Field(min_length=1, max_length=99)
    txnstatus_request: TxnStatusQuery


def _message_kind(value: Any) -> str:
    return "encrypted" if isinstance(value, dict) and "ciphertext" in value else "plain"


class SearchEnvelope(DciIn):
    signature: str | None = Field(default=None, max_length=4096, description="Accepted, not verified.")
    header: RequestHeader
    message: Annotated[
        Annotated[SearchRequest, Tag("plain")] | Annotated[EncryptedMessage, Tag("encrypted")],
        Discriminator(_message_kind),
    ]


class TxnStatusEnvelope(DciIn):
    signature: str | None = Field(default=None, max_length=4096, description="Accepted, not verified.")
    header: RequestHeader
    message: Annotated[
        Annotated[TxnStatusRequest, Tag("plain")] | Annotated[EncryptedMessage, Tag("encrypted")],
        Discriminator(_message_kind),
    ]


# --- records ----------------------------------------------------------------------------------------------


class Identifier(DciOut):
    type_: Literal["Identifier"] = Field(default="Identifier", alias="@type")
    identifier_type: Literal["NIK", "NO_KK", "ID_DTKS"]
    identifier_value: str = Field(description="NIK and No. KK are masked (`************1234`) without pii:read.")


class PersonName(DciOut):
    type_: Literal["Name"] = Field(default="Name", alias="@type")
    surname: str = Field(default="", description="Always empty: Indonesian names are not split into given name "
                         "and surname.")
    given_name: str = Field(description="The whole recorded name; initials without pii:read.")
    prefix: str = ""
    suffix: str = ""


class PersonRecord(DciOut):
    """DCI Person (SRPerson) <- one registry member's demographic data."""

    type_: Literal["spdci:SRPerson"] = Field(default="spdci:SRPerson", alias="@type")
    id_: str = Field(alias="@id", description="urn:sinergi:person:<member id>.")
    identifier: list[Identifier] = Field(description="The NIK.")
    name: PersonName
    sex: Literal["male", "female"] = Field(description="Our M/F.")
    birth_date: str = Field(json_schema_extra=DATE_TIME, description="The calendar date at midnight UTC, as in the "
                            "standard's example (`1985-05-20T00:00:00Z`): read the date part, do not shift zones.")
    registration_date: datetime = Field(description="When the member was registered (created_at).")


class MemberRecord(DciOut):
    """DCI Member <- one registry member: the Person plus their place in the family."""

    type_: Literal["spdci:Member"] = Field(default="spdci:Member", alias="@type")
    id_: str = Field(alias="@id", description="urn:sinergi:member:<member id>.")
    member_identifier: list[Identifier] = Field(description="The NIK.")
    demographic_info: PersonRecord
    is_disabled: bool = Field(description="Our `disability`.")
    relationship_head: Literal["head", "spouse", "child", "parent", "grandchild", "other"] = Field(
        description="Our `relationship` to the head of the family.")
    education_level: str | None = Field(default=None, description="Our `education` code.")
    occupation: str | None = Field(default=None, description="Our `occupation` code.")
    registration_date: datetime
    last_updated: datetime
    additional_attributes: list[dict[str, Any]] = Field(description="One-key objects, as in the standard's example: "
                                                        "school_participation, chronic_illness, pregnant, status, "
                                                        "inactive_reason, household_id, no_kk (masked without "
                                                        "pii:read), region_code.")


class Place(DciOut):
    type_: Literal["Place"] = Field(default="Place", alias="@type")
    address: str


class GroupRecord(DciOut):
    """DCI Group <- one registry household (a family on one Kartu Keluarga) with its active members."""

    context: dict[str, str] = Field(alias="@context")
    id_: str = Field(alias="@id", description="urn:sinergi:household:<household id>.")
    type_: Literal["spdci:Group"] = Field(default="spdci:Group", alias="@type")
    group_identifier: list[Identifier] = Field(description="NO_KK, and ID_DTKS when the household has one.")
    group_type: Literal["family"] = "family"
    place: Place | None = Field(default=None, description="The address; absent without pii:read.")
    poverty_score: int | None = Field(default=None, description="The national welfare decile (desil) 1-10, 1 "
                                      "poorest; absent when unknown.")
    poverty_score_type: Literal["dtks_welfare_decile"] | None = None
    group_head_info: MemberRecord | None = Field(default=None, description="The active head of the family.")
    group_size: int = Field(description="Number of active members.")
    member_list: list[MemberRecord] = Field(description="The active members.")
    registration_date: datetime
    last_updated: datetime
    additional_attributes: list[dict[str, Any]] = Field(description="One-key objects: region_code (a village), "
                                                        "welfare_decile, extreme_poor, status, inactive_reason, "
                                                        "housing {floor_area_m2, floor, wall, roof, drinking_water, "
                                                        "lighting, cooking_fuel, toilet}.")


RegistryRecord = Annotated[
    GroupRecord | MemberRecord | PersonRecord, Field(discriminator="type_"),
]


# --- responses -------------------------------------------------------------------------------------------


class ResponseHeader(DciOut):
    """MsgCallbackHeader_V1.0.0."""

    version: Literal["1.0.0"] = "1.0.0"
    message_id: str
    message_ts: datetime
    action: Literal["on-search", "txn-on-status"]
    status: RequestStatus
    status_reason_code: HeaderReasonCode | None = None
    status_reason_message: str | None = Field(default=None, max_length=999)
    total_count: int
    completed_count: int
    sender_id: str = Field(description="Our registry id.")
    receiver_id: str | None = Field(default=None, description="The requester's sender_id.")
    is_msg_encrypted: Literal[False] = False


class ResponsePagination(DciOut):
    page_size: int
    page_number: int
    total_count: int = Field(description="Records matching the item, over all pages.")


class SearchResultData(DciOut):
    version: Literal["1.0.0"] = "1.0.0"
    reg_record_type: Literal["spdci:Group", "spdci:Member", "spdci:SRPerson"]
    reg_records: list[RegistryRecord]


class SearchResponseItem(DciOut):
    reference_id: str
    timestamp: datetime
    status: RequestStatus
    status_reason_code: SearchReasonCode | None = None
    status_reason_message: str | None = Field(default=None, max_length=999)
    data: SearchResultData | None = None
    pagination: ResponsePagination | None = None


class SearchResponse(DciOut):
    transaction_id: str
    correlation_id: str = Field(description="Our id for the message; name it in txn/status.")
    search_response: list[SearchResponseItem]


class SearchResponseEnvelope(DciOut):
    header: ResponseHeader
    message: SearchResponse | None = Field(default=None, description="Absent when the header rejects the message.")


class TxnStatusBody(DciOut):
    txn_type: Literal["search"] = "search"
    txn_status: SearchResponse


class TxnStatusResponse(DciOut):
    transaction_id: str = Field(description="The status request's own transaction_id.")
    correlation_id: str
    txnstatus_response: TxnStatusBody


class TxnStatusResponseEnvelope(DciOut):
    header: ResponseHeader
    message: TxnStatusResponse | None = None


class AckError(DciOut):
    code: ErrorCode
    message: str = Field(max_length=999)


class AckMessage(DciOut):
    ack_status: Literal["ACK", "NACK", "ERR"]
    timestamp: datetime
    correlation_id: str
    error: AckError | None = None


class Ack(DciOut):
    """The standard's acknowledgement: ACK for an accepted async message, ERR (with the Error object) for a
    message refused before it could be processed."""

    message: AckMessage
