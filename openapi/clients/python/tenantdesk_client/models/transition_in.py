from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.ticket_status import TicketStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="TransitionIn")


@_attrs_define
class TransitionIn:
    """A status change.

    Attributes:
        to (TicketStatus): Where a ticket is in its life.
        reason (str | Unset): Why, up to 2,000 characters; kept in the history.
    """

    to: TicketStatus
    reason: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        to = self.to.value

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to": to,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        to = TicketStatus(d.pop("to"))

        reason = d.pop("reason", UNSET)

        transition_in = cls(
            to=to,
            reason=reason,
        )

        return transition_in
