from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AgentOut")


@_attrs_define
class AgentOut:
    """One agent's tickets over the period.

    Attributes:
        agent_id (UUID): The agent (the tickets' assignee).
        assigned (int): Tickets assigned to the agent that were created in the period.
        resolved (int): Of the agent's tickets, those resolved in the period.
        resolution_p50_secs (float | Unset): Median resolution time of those, seconds.
    """

    agent_id: UUID
    assigned: int
    resolved: int
    resolution_p50_secs: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_id = str(self.agent_id)

        assigned = self.assigned

        resolved = self.resolved

        resolution_p50_secs = self.resolution_p50_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent_id": agent_id,
                "assigned": assigned,
                "resolved": resolved,
            }
        )
        if resolution_p50_secs is not UNSET:
            field_dict["resolution_p50_secs"] = resolution_p50_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        agent_id = UUID(d.pop("agent_id"))

        assigned = d.pop("assigned")

        resolved = d.pop("resolved")

        resolution_p50_secs = d.pop("resolution_p50_secs", UNSET)

        agent_out = cls(
            agent_id=agent_id,
            assigned=assigned,
            resolved=resolved,
            resolution_p50_secs=resolution_p50_secs,
        )

        agent_out.additional_properties = d
        return agent_out

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
