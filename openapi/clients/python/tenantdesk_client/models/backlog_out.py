from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BacklogOut")


@_attrs_define
class BacklogOut:
    """Tickets not resolved or closed, of one status and priority (now, not over the period).

    Attributes:
        priority (str):
        status (str):
        tickets (int):
    """

    priority: str
    status: str
    tickets: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        priority = self.priority

        status = self.status

        tickets = self.tickets

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "priority": priority,
                "status": status,
                "tickets": tickets,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        priority = d.pop("priority")

        status = d.pop("status")

        tickets = d.pop("tickets")

        backlog_out = cls(
            priority=priority,
            status=status,
            tickets=tickets,
        )

        backlog_out.additional_properties = d
        return backlog_out

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
