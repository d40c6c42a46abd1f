from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="JobOut")


@_attrs_define
class JobOut:
    """An ingestion job.

    Attributes:
        attempts (int):
        created_at (datetime.datetime):
        document_ids (list[UUID]): The documents it indexes.
        documents_failed (int): Documents left undone when the job failed for good.
        documents_processed (int):
        documents_total (int):
        error_log (Any): One entry per failed attempt: `at`, `attempt`, `worker`, `error`.
        id (UUID):
        max_attempts (int):
        next_attempt_at (datetime.datetime):
        status (JobStatus): Where an ingestion job is.
        updated_at (datetime.datetime):
        finished_at (datetime.datetime | Unset):
        locked_by (str | Unset):
        locked_until (datetime.datetime | Unset):
        started_at (datetime.datetime | Unset):
    """

    attempts: int
    created_at: datetime.datetime
    document_ids: list[UUID]
    documents_failed: int
    documents_processed: int
    documents_total: int
    error_log: Any
    id: UUID
    max_attempts: int
    next_attempt_at: datetime.datetime
    status: JobStatus
    updated_at: datetime.datetime
    finished_at: datetime.datetime | Unset = UNSET
    locked_by: str | Unset = UNSET
    locked_until: datetime.datetime | Unset = UNSET
    started_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        document_ids = []
        for document_ids_item_data in self.document_ids:
            document_ids_item = str(document_ids_item_data)
            document_ids.append(document_ids_item)

        documents_failed = self.documents_failed

        documents_processed = self.documents_processed

        documents_total = self.documents_total

        error_log = self.error_log

        id = str(self.id)

        max_attempts = self.max_attempts

        next_attempt_at = self.next_attempt_at.isoformat()

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        finished_at: str | Unset = UNSET
        if not isinstance(self.finished_at, Unset):
            finished_at = self.finished_at.isoformat()

        locked_by = self.locked_by

        locked_until: str | Unset = UNSET
        if not isinstance(self.locked_until, Unset):
            locked_until = self.locked_until.isoformat()

        started_at: str | Unset = UNSET
        if not isinstance(self.started_at, Unset):
            started_at = self.started_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "document_ids": document_ids,
                "documents_failed": documents_failed,
                "documents_processed": documents_processed,
                "documents_total": documents_total,
                "error_log": error_log,
                "id": id,
                "max_attempts": max_attempts,
                "next_attempt_at": next_attempt_at,
                "status": status,
                "updated_at": updated_at,
            }
        )
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if locked_by is not UNSET:
            field_dict["locked_by"] = locked_by
        if locked_until is not UNSET:
            field_dict["locked_until"] = locked_until
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        document_ids = []
        _document_ids = d.pop("document_ids")
        for document_ids_item_data in _document_ids:
            document_ids_item = UUID(document_ids_item_data)

            document_ids.append(document_ids_item)

        documents_failed = d.pop("documents_failed")

        documents_processed = d.pop("documents_processed")

        documents_total = d.pop("documents_total")

        error_log = d.pop("error_log")

        id = UUID(d.pop("id"))

        max_attempts = d.pop("max_attempts")

        next_attempt_at = datetime.datetime.fromisoformat(d.pop("next_attempt_at"))

        status = JobStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _finished_at = d.pop("finished_at", UNSET)
        finished_at: datetime.datetime | Unset
        if isinstance(_finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = datetime.datetime.fromisoformat(_finished_at)

        locked_by = d.pop("locked_by", UNSET)

        _locked_until = d.pop("locked_until", UNSET)
        locked_until: datetime.datetime | Unset
        if isinstance(_locked_until, Unset):
            locked_until = UNSET
        else:
            locked_until = datetime.datetime.fromisoformat(_locked_until)

        _started_at = d.pop("started_at", UNSET)
        started_at: datetime.datetime | Unset
        if isinstance(_started_at, Unset):
            started_at = UNSET
        else:
            started_at = datetime.datetime.fromisoformat(_started_at)

        job_out = cls(
            attempts=attempts,
            created_at=created_at,
            document_ids=document_ids,
            documents_failed=documents_failed,
            documents_processed=documents_processed,
            documents_total=documents_total,
            error_log=error_log,
            id=id,
            max_attempts=max_attempts,
            next_attempt_at=next_attempt_at,
            status=status,
            updated_at=updated_at,
            finished_at=finished_at,
            locked_by=locked_by,
            locked_until=locked_until,
            started_at=started_at,
        )

        job_out.additional_properties = d
        return job_out

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
