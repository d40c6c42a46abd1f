from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.usage_bucket_out import UsageBucketOut


T = TypeVar("T", bound="UsageReportOut")


@_attrs_define
class UsageReportOut:
    """A usage report over `[from, to)`. Requests reach the log within about `USAGE_FLUSH_MS`.

    Attributes:
        from_ (datetime.datetime): Start of the period (inclusive).
        items (list[UsageBucketOut]): At most 1,000 groups, in the group's order (the platform summary: busiest tenant
            first).
        to (datetime.datetime): End of the period (exclusive).
    """

    from_: datetime.datetime
    items: list[UsageBucketOut]
    to: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.isoformat()

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        to = self.to.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
                "items": items,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.usage_bucket_out import UsageBucketOut

        d = dict(src_dict)
        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = UsageBucketOut.from_dict(items_item_data)

            items.append(items_item)

        to = datetime.datetime.fromisoformat(d.pop("to"))

        usage_report_out = cls(
            from_=from_,
            items=items,
            to=to,
        )

        usage_report_out.additional_properties = d
        return usage_report_out

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
