from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_out import AgentOut
    from ..models.backlog_out import BacklogOut
    from ..models.ticket_bucket_out import TicketBucketOut


T = TypeVar("T", bound="TicketAnalyticsOut")


@_attrs_define
class TicketAnalyticsOut:
    """The support desk over `[from, to)`.

    Attributes:
        agents (list[AgentOut]): Per agent, the most resolutions first (at most 100).
        backlog (list[BacklogOut]): The open backlog now, by status and priority.
        from_ (datetime.datetime):
        reopened (int): Tickets reopened in the period.
        resolved (int): Tickets resolved in the period.
        series (list[TicketBucketOut]): One entry per bucket of `interval`, empty ones included.
        to (datetime.datetime):
        first_response_p50_secs (float | Unset): Seconds from a ticket's creation to its first agent message the
            customer sees (tickets
            created in the period that have one): median. Absent when there is none.
        first_response_p90_secs (float | Unset): The same, 90th percentile.
        reopen_rate (float | Unset): `reopened / resolved`; absent when nothing was resolved.
        resolution_p50_secs (float | Unset): Seconds from creation to resolution of the tickets resolved in the period:
            median.
        resolution_p90_secs (float | Unset): The same, 90th percentile.
    """

    agents: list[AgentOut]
    backlog: list[BacklogOut]
    from_: datetime.datetime
    reopened: int
    resolved: int
    series: list[TicketBucketOut]
    to: datetime.datetime
    first_response_p50_secs: float | Unset = UNSET
    first_response_p90_secs: float | Unset = UNSET
    reopen_rate: float | Unset = UNSET
    resolution_p50_secs: float | Unset = UNSET
    resolution_p90_secs: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agents = []
        for agents_item_data in self.agents:
            agents_item = agents_item_data.to_dict()
            agents.append(agents_item)

        backlog = []
        for backlog_item_data in self.backlog:
            backlog_item = backlog_item_data.to_dict()
            backlog.append(backlog_item)

        from_ = self.from_.isoformat()

        reopened = self.reopened

        resolved = self.resolved

        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)

        to = self.to.isoformat()

        first_response_p50_secs = self.first_response_p50_secs

        first_response_p90_secs = self.first_response_p90_secs

        reopen_rate = self.reopen_rate

        resolution_p50_secs = self.resolution_p50_secs

        resolution_p90_secs = self.resolution_p90_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agents": agents,
                "backlog": backlog,
                "from": from_,
                "reopened": reopened,
                "resolved": resolved,
                "series": series,
                "to": to,
            }
        )
        if first_response_p50_secs is not UNSET:
            field_dict["first_response_p50_secs"] = first_response_p50_secs
        if first_response_p90_secs is not UNSET:
            field_dict["first_response_p90_secs"] = first_response_p90_secs
        if reopen_rate is not UNSET:
            field_dict["reopen_rate"] = reopen_rate
        if resolution_p50_secs is not UNSET:
            field_dict["resolution_p50_secs"] = resolution_p50_secs
        if resolution_p90_secs is not UNSET:
            field_dict["resolution_p90_secs"] = resolution_p90_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.agent_out import AgentOut
        from ..models.backlog_out import BacklogOut
        from ..models.ticket_bucket_out import TicketBucketOut

        d = dict(src_dict)
        agents = []
        _agents = d.pop("agents")
        for agents_item_data in _agents:
            agents_item = AgentOut.from_dict(agents_item_data)

            agents.append(agents_item)

        backlog = []
        _backlog = d.pop("backlog")
        for backlog_item_data in _backlog:
            backlog_item = BacklogOut.from_dict(backlog_item_data)

            backlog.append(backlog_item)

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        reopened = d.pop("reopened")

        resolved = d.pop("resolved")

        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = TicketBucketOut.from_dict(series_item_data)

            series.append(series_item)

        to = datetime.datetime.fromisoformat(d.pop("to"))

        first_response_p50_secs = d.pop("first_response_p50_secs", UNSET)

        first_response_p90_secs = d.pop("first_response_p90_secs", UNSET)

        reopen_rate = d.pop("reopen_rate", UNSET)

        resolution_p50_secs = d.pop("resolution_p50_secs", UNSET)

        resolution_p90_secs = d.pop("resolution_p90_secs", UNSET)

        ticket_analytics_out = cls(
            agents=agents,
            backlog=backlog,
            from_=from_,
            reopened=reopened,
            resolved=resolved,
            series=series,
            to=to,
            first_response_p50_secs=first_response_p50_secs,
            first_response_p90_secs=first_response_p90_secs,
            reopen_rate=reopen_rate,
            resolution_p50_secs=resolution_p50_secs,
            resolution_p90_secs=resolution_p90_secs,
        )

        ticket_analytics_out.additional_properties = d
        return ticket_analytics_out

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
