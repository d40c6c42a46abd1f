from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus
from ..models.post_as import PostAs
from ..models.run_outcome import RunOutcome
from ..models.run_trigger import RunTrigger
from ..types import UNSET, Unset

T = TypeVar("T", bound="AssistantRunOut")


@_attrs_define
class AssistantRunOut:
    """One assistant run on a ticket: a job in the worker queue (leases, retries with backoff) and
    what came of it.

        Attributes:
            attempts (int):
            created_at (datetime.datetime):
            error_log (Any): One entry per failed attempt: `at`, `attempt`, `worker`, `error`.
            id (UUID): The run's (and its job's) id.
            max_attempts (int):
            next_attempt_at (datetime.datetime):
            status (JobStatus): Where an ingestion job is.
            ticket_id (UUID): The ticket it answers.
            trigger (RunTrigger): What queued a run.
            finished_at (datetime.datetime | Unset):
            message_id (UUID | Unset): The message it posted (the answer, or the internal note of an escalation).
            outcome (RunOutcome | Unset): What came of a run.
            outcome_detail (str | Unset): The escalation rule, or why it was skipped.
            post_as (PostAs | Unset): How a run posts its answer.
            query_log_id (UUID | Unset): The query log entry of its answer (`GET /v1/query-logs`); absent once that entry is
                past
                its retention (`ASSISTANT_QUERY_LOG_RETENTION_DAYS`).
            requested_by (UUID | Unset): The agent who asked for it.
            trigger_message_id (UUID | Unset): The customer's message that queued it.
    """

    attempts: int
    created_at: datetime.datetime
    error_log: Any
    id: UUID
    max_attempts: int
    next_attempt_at: datetime.datetime
    status: JobStatus
    ticket_id: UUID
    trigger: RunTrigger
    finished_at: datetime.datetime | Unset = UNSET
    message_id: UUID | Unset = UNSET
    outcome: RunOutcome | Unset = UNSET
    outcome_detail: str | Unset = UNSET
    post_as: PostAs | Unset = UNSET
    query_log_id: UUID | Unset = UNSET
    requested_by: UUID | Unset = UNSET
    trigger_message_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        error_log = self.error_log

        id = str(self.id)

        max_attempts = self.max_attempts

        next_attempt_at = self.next_attempt_at.isoformat()

        status = self.status.value

        ticket_id = str(self.ticket_id)

        trigger = self.trigger.value

        finished_at: str | Unset = UNSET
        if not isinstance(self.finished_at, Unset):
            finished_at = self.finished_at.isoformat()

        message_id: str | Unset = UNSET
        if not isinstance(self.message_id, Unset):
            message_id = str(self.message_id)

        outcome: str | Unset = UNSET
        if not isinstance(self.outcome, Unset):
            outcome = self.outcome.value

        outcome_detail = self.outcome_detail

        post_as: str | Unset = UNSET
        if not isinstance(self.post_as, Unset):
            post_as = self.post_as.value

        query_log_id: str | Unset = UNSET
        if not isinstance(self.query_log_id, Unset):
            query_log_id = str(self.query_log_id)

        requested_by: str | Unset = UNSET
        if not isinstance(self.requested_by, Unset):
            requested_by = str(self.requested_by)

        trigger_message_id: str | Unset = UNSET
        if not isinstance(self.trigger_message_id, Unset):
            trigger_message_id = str(self.trigger_message_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "error_log": error_log,
                "id": id,
                "max_attempts": max_attempts,
                "next_attempt_at": next_attempt_at,
                "status": status,
                "ticket_id": ticket_id,
                "trigger": trigger,
            }
        )
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if message_id is not UNSET:
            field_dict["message_id"] = message_id
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if outcome_detail is not UNSET:
            field_dict["outcome_detail"] = outcome_detail
        if post_as is not UNSET:
            field_dict["post_as"] = post_as
        if query_log_id is not UNSET:
            field_dict["query_log_id"] = query_log_id
        if requested_by is not UNSET:
            field_dict["requested_by"] = requested_by
        if trigger_message_id is not UNSET:
            field_dict["trigger_message_id"] = trigger_message_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        error_log = d.pop("error_log")

        id = UUID(d.pop("id"))

        max_attempts = d.pop("max_attempts")

        next_attempt_at = datetime.datetime.fromisoformat(d.pop("next_attempt_at"))

        status = JobStatus(d.pop("status"))

        ticket_id = UUID(d.pop("ticket_id"))

        trigger = RunTrigger(d.pop("trigger"))

        _finished_at = d.pop("finished_at", UNSET)
        finished_at: datetime.datetime | Unset
        if isinstance(_finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = datetime.datetime.fromisoformat(_finished_at)

        _message_id = d.pop("message_id", UNSET)
        message_id: UUID | Unset
        if isinstance(_message_id, Unset):
            message_id = UNSET
        else:
            message_id = UUID(_message_id)

        _outcome = d.pop("outcome", UNSET)
        outcome: RunOutcome | Unset
        if isinstance(_outcome, Unset):
            outcome = UNSET
        else:
            outcome = RunOutcome(_outcome)

        outcome_detail = d.pop("outcome_detail", UNSET)

        _post_as = d.pop("post_as", UNSET)
        post_as: PostAs | Unset
        if isinstance(_post_as, Unset):
            post_as = UNSET
        else:
            post_as = PostAs(_post_as)

        _query_log_id = d.pop("query_log_id", UNSET)
        query_log_id: UUID | Unset
        if isinstance(_query_log_id, Unset):
            query_log_id = UNSET
        else:
            query_log_id = UUID(_query_log_id)

        _requested_by = d.pop("requested_by", UNSET)
        requested_by: UUID | Unset
        if isinstance(_requested_by, Unset):
            requested_by = UNSET
        else:
            requested_by = UUID(_requested_by)

        _trigger_message_id = d.pop("trigger_message_id", UNSET)
        trigger_message_id: UUID | Unset
        if isinstance(_trigger_message_id, Unset):
            trigger_message_id = UNSET
        else:
            trigger_message_id = UUID(_trigger_message_id)

        assistant_run_out = cls(
            attempts=attempts,
            created_at=created_at,
            error_log=error_log,
            id=id,
            max_attempts=max_attempts,
            next_attempt_at=next_attempt_at,
            status=status,
            ticket_id=ticket_id,
            trigger=trigger,
            finished_at=finished_at,
            message_id=message_id,
            outcome=outcome,
            outcome_detail=outcome_detail,
            post_as=post_as,
            query_log_id=query_log_id,
            requested_by=requested_by,
            trigger_message_id=trigger_message_id,
        )

        assistant_run_out.additional_properties = d
        return assistant_run_out

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
