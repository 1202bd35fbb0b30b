"""Customer merges."""

from uuid import UUID

from ninja import Schema
from pydantic import Field

from patron.api.schemas.common import InputSchema, Timestamp
from patron.merging.actions import MAX_MERGED, PICKABLE
from patron.merging.models import Merge
from patron.merging.queries import undo_window


class MergeIn(InputSchema):
    survivor: UUID = Field(description="The customer that stays; the others become tombstones pointing at it.")
    others: list[UUID] = Field(min_length=1, max_length=MAX_MERGED,
                               description="The customers merged into the survivor (1 to 20).")
    field_choices: dict[str, UUID] = Field(
        default_factory=dict, max_length=len(PICKABLE),
        description="Per field (first_name, last_name, name, birth_date, tax_id, tax_id_country, is_tax_exempt, "
                    "price_level, default_discount, is_employee, always_formal_invoice, home_location, photo), "
                    "the id of the record whose value the survivor takes. Not given: the survivor's own value, "
                    "or the first other record's where the survivor has none.")


class MergedRecordOut(Schema):
    id: UUID
    account_number: str
    name: str


class MergeOut(Schema):
    id: UUID
    survivor: UUID
    merged: list[MergedRecordOut] = Field(description="The records merged into the survivor, as they were.")
    field_choices: dict[str, UUID]
    merged_at: Timestamp
    merged_by: str
    undo_until: Timestamp = Field(description="Until when the merge can be undone.")
    undone_at: Timestamp | None
    undone_by: str
    report: dict = Field(description="After an undo: the records restored, and what stayed with the survivor "
                                     "(added after the merge) or kept its later value.")

    @classmethod
    def of(cls, merge: Merge) -> "MergeOut":
        others = merge.snapshot.get("others", {}).values()
        return cls(id=merge.uuid, survivor=merge.survivor.uuid,
                   merged=[MergedRecordOut(id=values["uuid"], account_number=values["account_number"],
                                           name=values["name"]) for values in others],
                   field_choices=merge.field_choices, merged_at=merge.merged_at, merged_by=merge.actor_label,
                   undo_until=merge.merged_at + undo_window(), undone_at=merge.undone_at,
                   undone_by=merge.undone_by, report=merge.report)
