"""DCI use cases: take a message in (or refuse it at the layer the standard names), answer each search
request item against the registry within the token's region, keep the transaction, audit what is disclosed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.clock import today_jakarta
from kit.ids import uuid7
from targeting.audit.repository import AuditRepository
from targeting.dci import mapping, queries
from targeting.dci.attributes import SORTABLE_KINDS, Attribute, Entity, attribute
from targeting.dci.callbacks import CallbackPolicy
from targeting.dci.envelope import ack, check_envelope, dump, header_rejection, now, parse_timestamp, response_header
from targeting.dci.errors import BadRequestError, HeaderRejection, ItemRejection
from targeting.dci.queries import AllOf, Compare, Condition
from targeting.dci.repository import DciRepository
from targeting.dci.schemas import (
    ExpressionQuery,
    IdentifierTypeValue,
    ResponsePagination,
    SearchCriteria,
    SearchEnvelope,
    SearchRequest,
    SearchRequestItem,
    SearchResponse,
    SearchResponseEnvelope,
    SearchResponseItem,
    SearchResultData,
)
from targeting.settings import TargetingSettings

log = logging.getLogger("targeting.dci")

ENTITIES: dict[str, Entity] = {"Group": "group", "Member": "member", "Person": "person"}
RECORD_TYPES = {"group": "spdci:Group", "member": "spdci:Member", "person": "spdci:SRPerson"}


class DciService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: TargetingSettings,
                 policy: CallbackPolicy) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.policy = policy
        self.repository = DciRepository(session)
        self.audit = AuditRepository(session)
        self.retention = timedelta(days=settings.dci_retention_days)

    async def sync_search(self, envelope: SearchEnvelope) -> dict[str, Any]:
        check_envelope(envelope.header, envelope.message, self.principal, self.settings)
        message = envelope.message
        assert isinstance(message, SearchRequest)
        count = len(message.search_request)
        rejection = header_rejection(envelope.header, self.settings, action="search", count=count)
        if rejection is None:
            correlation = await self.repository.claim(retention=self.retention, **self.transaction(
                envelope, mode="sync", status="pdng"))
            if correlation is not None:
                return await self.answer(envelope, correlation)
            rejection = HeaderRejection("rjct.message_id.duplicate", "This client already sent that message_id.")
        header = response_header(envelope.header, self.settings, action="on-search", status="rjct", count=count,
                                 rejection=rejection)
        return dump(SearchResponseEnvelope(header=header))

    def transaction(self, envelope: SearchEnvelope, **values: Any) -> dict[str, Any]:
        assert isinstance(envelope.message, SearchRequest)
        return {"id": uuid7(), "transaction_id": envelope.message.transaction_id,
                "message_id": envelope.header.message_id, "client_id": self.principal.client_id,
                "region": self.principal.region, "pii_visible": self.principal.can_read_pii,
                "request": envelope.model_dump(mode="json", exclude_unset=True),
                **values}

    async def accept_search(self, envelope: SearchEnvelope) -> dict[str, Any]:
        """Async search: refuse now what can be refused now, else store the message and acknowledge it."""
        check_envelope(envelope.header, envelope.message, self.principal, self.settings)
        await self.policy.target(self.principal.client_id, envelope.header.sender_uri)
        message = envelope.message
        assert isinstance(message, SearchRequest)
        rejection = header_rejection(envelope.header, self.settings, action="search", count=len(message.search_request))
        if rejection is not None:
            raise BadRequestError(f"{rejection.code}: {rejection.message}")
        correlation = await self.repository.claim(retention=self.retention, **self.transaction(
            envelope, mode="async", status="rcvd", callback_url=envelope.header.sender_uri, delivery_status="pending"))
        if correlation is None:
            raise BadRequestError("rjct.message_id.duplicate: this client already sent that message_id.")
        return ack(str(correlation))

    async def answer(self, envelope: SearchEnvelope, correlation: uuid.UUID) -> dict[str, Any]:
        """Run every item, store the answer on the transaction, audit the records it discloses."""
        message = envelope.message
        assert isinstance(message, SearchRequest)
        seen: set[str] = set()
        items: list[SearchResponseItem] = []
        for item in message.search_request:
            try:
                items.append(await self._item(item, seen))
            except ItemRejection as rejection:
                items.append(SearchResponseItem(
                    reference_id=item.reference_id, timestamp=now(), status="rjct",
                    status_reason_code=rejection.code, status_reason_message=rejection.message))  # type: ignore
            seen.add(item.reference_id)
        response = SearchResponse(transaction_id=message.transaction_id, correlation_id=str(correlation),
                                  search_response=items)
        households, members = mapping.record_ids(r for i in items if i.data for r in i.data.reg_records)
        await self.audit.record(self.principal, "dci.search", "household", households)
        await self.audit.record(self.principal, "dci.search", "member", members)
        await self.repository.update(correlation, status="succ", response=dump(response))
        header = response_header(envelope.header, self.settings, action="on-search", status="succ",
                                 count=len(items))
        return dump(SearchResponseEnvelope(header=header, message=response))

    async def _item(self, item: SearchRequestItem, seen: set[str]) -> SearchResponseItem:
        if not item.reference_id.strip() or len(item.reference_id) > 99:
            raise ItemRejection("rjct.reference_id.invalid", "reference_id must be 1 to 99 characters.")
        if item.reference_id in seen:
            raise ItemRejection("rjct.reference_id.duplicate", "reference_id repeats an earlier request.")
        if parse_timestamp(item.timestamp) is None:
            raise ItemRejection("rjct.timestamp.invalid", "timestamp must be RFC 3339 with an offset.")
        criteria = item.search_criteria
        if criteria.version != "1.0.0":
            raise ItemRejection("rjct.search_criteria.invalid", "search_criteria.version must be 1.0.0.")
        entity = self._entity(criteria)
        condition = self._condition(entity, criteria)
        if not queries.mentions_status(condition):
            condition = AllOf((condition, Compare(attribute(entity, "status"), "eq", "active")))
        sort = self._sort(entity, criteria)
        page_size, page_number, paged = self._page(criteria)
        total, rows = await self.repository.search(
            entity, condition, self.principal.region, today=today_jakarta(), sort=sort,
            offset=(page_number - 1) * page_size, limit=page_size, max_total=None if paged else page_size)
        if not paged and total > page_size:
            raise ItemRejection("rjct.search.too_many_records_found",
                                f"{total} records match; ask for them in pages (pagination.page_size).")
        records = await self._records(entity, rows)
        return SearchResponseItem(
            reference_id=item.reference_id, timestamp=now(), status="succ",
            data=SearchResultData(reg_record_type=RECORD_TYPES[entity], reg_records=records),  # type: ignore
            pagination=ResponsePagination(page_size=page_size, page_number=page_number, total_count=total))

    @staticmethod
    def _entity(criteria: SearchCriteria) -> Entity:
        named = {criteria.response_entity} if criteria.response_entity else set()
        if criteria.reg_type is not None:
            named.add(criteria.reg_type)
        query = criteria.query
        if criteria.query_type == "expression" and isinstance(query, ExpressionQuery | IdentifierTypeValue) \
                and isinstance(query.value, dict) and isinstance(query.value.get("expression"), dict):
            collection = query.value["expression"].get("collection")
            if collection is not None:
                named.add(collection)
        unknown = [n for n in named if n not in ENTITIES]
        if unknown or len(named) > 1:
            raise ItemRejection("rjct.search_criteria.invalid", "response_entity, reg_type and collection must "
                                "agree and name Group, Member or Person.")
        return ENTITIES[named.pop()] if named else "group"

    @staticmethod
    def _condition(entity: Entity, criteria: SearchCriteria) -> Condition:
        query = criteria.query
        if criteria.query_type == "predicate":
            if not isinstance(query, list):
                raise ItemRejection("rjct.search_criteria.invalid", "A predicate query is a list of predicates.")
            return queries.predicates(entity, query)
        if isinstance(query, list):
            raise ItemRejection("rjct.search_criteria.invalid", f"A {criteria.query_type} query is an object.")
        if criteria.query_type == "idtype-value":
            return queries.idtype_value(entity, query.type, query.value)
        if not isinstance(query.value, dict):
            raise ItemRejection("rjct.search_criteria.invalid", "An expression's value is an object.")
        return queries.expression(entity, query.type, query.value)[1]

    @staticmethod
    def _sort(entity: Entity, criteria: SearchCriteria) -> list[tuple[Attribute, bool]]:
        sort = []
        for key in criteria.sort or []:
            attr = attribute(entity, key.attribute_name, reason="rjct.sort.invalid")
            if attr.kind not in SORTABLE_KINDS:
                raise ItemRejection("rjct.sort.invalid", f"Records cannot be sorted by {key.attribute_name[:64]!r}.")
            sort.append((attr, key.sort_order == "desc"))
        return sort

    def _page(self, criteria: SearchCriteria) -> tuple[int, int, bool]:
        most = self.settings.dci_max_records
        if criteria.pagination is None:
            return most, 1, False
        size, number = float(criteria.pagination.page_size), float(criteria.pagination.page_number)
        if not (size.is_integer() and number.is_integer() and 1 <= size <= most and 1 <= number <= 1_000_000):
            raise ItemRejection("rjct.pagination.invalid",
                                f"page_size must be a whole number from 1 to {most}, page_number one from 1.")
        return int(size), int(number), True

    async def _records(self, entity: Entity, rows: Sequence[Any]) -> list[Any]:
        pii = self.principal.can_read_pii
        if entity == "group":
            members = await self.repository.active_members([h.id for h in rows])
            return [mapping.group(h, members[h.id], pii=pii) for h in rows]
        if entity == "member":
            return [mapping.member(m, h, pii=pii) for m, h in rows]
        return [mapping.person(m, pii=pii) for m, _ in rows]


async def run_async_search(state: Any, correlation: uuid.UUID) -> None:
    """After the ACK: answer the stored message, keep the answer, then deliver it to its sender_uri.

    The answer is committed before delivery, so a caller whose callback failed can still read it with
    txn/status."""
    async with state.sessionmaker() as session:
        repository = DciRepository(session)
        transaction = await repository.get(correlation)
        if transaction is None:
            return
        scopes = frozenset({"registry:read", "pii:read"} if transaction.pii_visible else {"registry:read"})
        principal = Principal(client_id=transaction.client_id, scopes=scopes, region=transaction.region)
        client_id, callback_url = transaction.client_id, transaction.callback_url or ""
        service = DciService(session, principal, state.settings, state.dci_callbacks.policy)
        try:
            body = await service.answer(SearchEnvelope.model_validate(transaction.request), correlation)
            await session.commit()
        except Exception as exc:
            # Only the type: SQLAlchemy puts bound parameters (NIKs) in its messages, and they must not be logged.
            log.error("dci async search %s failed: %s", correlation, type(exc).__name__)
            await session.rollback()
            await repository.update(correlation, status="rjct", delivery_status="failed",
                                    delivery_error="The search failed; it has been logged.")
            await session.commit()
            return
    delivery = await state.dci_callbacks.deliver(client_id, callback_url, body)
    async with state.sessionmaker() as session:
        await DciRepository(session).update(
            correlation, delivery_status=delivery.status, delivery_attempts=delivery.attempts,
            delivery_error=delivery.error, delivered_at=delivery.delivered_at)
        await session.commit()
