from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ticket_status import TicketStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="HistoryOut")


@_attrs_define
class HistoryOut:
    """One status change of a ticket.

    Attributes:
        created_at (datetime.datetime): When the change happened.
        id (UUID): The entry's id; entries sort by it.
        to (TicketStatus): Where a ticket is in its life.
        actor_id (UUID | Unset): The user who made the change; absent for API keys and superadmins.
        from_ (TicketStatus | Unset): Where a ticket is in its life.
        reason (str | Unset):
    """

    created_at: datetime.datetime
    id: UUID
    to: TicketStatus
    actor_id: UUID | Unset = UNSET
    from_: TicketStatus | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        to = self.to.value

        actor_id: str | Unset = UNSET
        if not isinstance(self.actor_id, Unset):
            actor_id = str(self.actor_id)

        from_: str | Unset = UNSET
        if not isinstance(self.from_, Unset):
            from_ = self.from_.value

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "to": to,
            }
        )
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if from_ is not UNSET:
            field_dict["from"] = from_
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        to = TicketStatus(d.pop("to"))

        _actor_id = d.pop("actor_id", UNSET)
        actor_id: UUID | Unset
        if isinstance(_actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = UUID(_actor_id)

        _from_ = d.pop("from", UNSET)
        from_: TicketStatus | Unset
        if isinstance(_from_, Unset):
            from_ = UNSET
        else:
            from_ = TicketStatus(_from_)

        reason = d.pop("reason", UNSET)

        history_out = cls(
            created_at=created_at,
            id=id,
            to=to,
            actor_id=actor_id,
            from_=from_,
            reason=reason,
        )

        history_out.additional_properties = d
        return history_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
