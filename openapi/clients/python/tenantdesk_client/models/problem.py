from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.problem_code import ProblemCode
from ..types import UNSET, Unset

T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """An RFC 9457 problem document. Every error this API returns has this shape.

    Attributes:
        code (ProblemCode): The stable machine-readable `code` of a problem: the one list of every code the service can
            answer with (an `ApiError` carries one of these, nothing else).
        detail (str): Explanation specific to this occurrence.
        status (int): The HTTP status code.
        title (str): Short human-readable summary of the problem type.
        type_ (str): A URI naming the problem type (`urn:tenantdesk:problem:<code>`).
        allowed (list[str] | Unset): Values the request may use instead, where the error has such a list.
        field (str | Unset): The request field (body property, query or path parameter, header) that was wrong.
        quota (str | Unset): The plan quota a write would exceed (`quota_exceeded`): `max_documents`, `max_chunks`,
            `max_storage_bytes` or `max_api_keys`.
        request_id (str | Unset): The request id (also in the `X-Request-Id` response header).
    """

    code: ProblemCode
    detail: str
    status: int
    title: str
    type_: str
    allowed: list[str] | Unset = UNSET
    field: str | Unset = UNSET
    quota: str | Unset = UNSET
    request_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        detail = self.detail

        status = self.status

        title = self.title

        type_ = self.type_

        allowed: list[str] | Unset = UNSET
        if not isinstance(self.allowed, Unset):
            allowed = self.allowed

        field = self.field

        quota = self.quota

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "detail": detail,
                "status": status,
                "title": title,
                "type": type_,
            }
        )
        if allowed is not UNSET:
            field_dict["allowed"] = allowed
        if field is not UNSET:
            field_dict["field"] = field
        if quota is not UNSET:
            field_dict["quota"] = quota
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = ProblemCode(d.pop("code"))

        detail = d.pop("detail")

        status = d.pop("status")

        title = d.pop("title")

        type_ = d.pop("type")

        allowed = cast(list[str], d.pop("allowed", UNSET))

        field = d.pop("field", UNSET)

        quota = d.pop("quota", UNSET)

        request_id = d.pop("request_id", UNSET)

        problem = cls(
            code=code,
            detail=detail,
            status=status,
            title=title,
            type_=type_,
            allowed=allowed,
            field=field,
            quota=quota,
            request_id=request_id,
        )

        problem.additional_properties = d
        return problem

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
