"""Messages, status changes and the audit trail of a customer."""

from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import DateTime, InputSchema, Timestamp, from_record, text
from patron.core.models import AuditEvent
from patron.customers.actions.messages import BODY_MAX
from patron.customers.models import Message, MessageChannel, MessageDirection, StatusChange


class MessageIn(InputSchema):
    channel: MessageChannel
    direction: MessageDirection
    subject: text(200) = ""
    body: text(BODY_MAX) = ""
    occurred_at: DateTime | None = Field(None, description="When it happened (RFC 3339); default now.")


class MessageOut(Schema):
    id: UUID
    channel: str
    direction: str
    subject: str
    body: str
    occurred_at: Timestamp
    author: str
    created_at: Timestamp

    @classmethod
    def of(cls, message: Message) -> "MessageOut":
        return from_record(cls, message, id=message.uuid, author=message.author_label)


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    changed_by: str
    changed_at: Timestamp

    @classmethod
    def of(cls, change: StatusChange) -> "StatusChangeOut":
        return from_record(cls, change, changed_by=change.actor_label)


class AuditEventOut(Schema):
    occurred_at: Timestamp
    actor: str
    actor_kind: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    changes: dict[str, Any] = Field(description="{field: [old, new]}")
    data: dict[str, Any]
    request_id: str

    @classmethod
    def of(cls, event: AuditEvent) -> "AuditEventOut":
        return from_record(cls, event, actor=event.actor_label)
