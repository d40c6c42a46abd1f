from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TicketBucketOut")


@_attrs_define
class TicketBucketOut:
    """Tickets of one bucket of the period.

    Attributes:
        created (int): Tickets created in it.
        escalated (int): Times a ticket was escalated in it.
        resolved (int): Tickets resolved in it.
        start (datetime.datetime): Start of the bucket (UTC).
    """

    created: int
    escalated: int
    resolved: int
    start: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created = self.created

        escalated = self.escalated

        resolved = self.resolved

        start = self.start.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created": created,
                "escalated": escalated,
                "resolved": resolved,
                "start": start,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created = d.pop("created")

        escalated = d.pop("escalated")

        resolved = d.pop("resolved")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        ticket_bucket_out = cls(
            created=created,
            escalated=escalated,
            resolved=resolved,
            start=start,
        )

        ticket_bucket_out.additional_properties = d
        return ticket_bucket_out

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
