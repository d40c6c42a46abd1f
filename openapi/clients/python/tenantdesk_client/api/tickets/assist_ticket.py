from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.assist_in import AssistIn
from ...models.assistant_run_out import AssistantRunOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    body: AssistIn | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tickets/{id}/assist".format(
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssistantRunOut | Problem | None:
    if response.status_code == 202:
        response_202 = AssistantRunOut.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AssistantRunOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: AssistIn | Unset = UNSET,
) -> Response[AssistantRunOut | Problem]:
    """Ask the assistant to answer a ticket (agents and admins). Queues a run whatever the
    tenant's assistant mode (even `off`); a worker answers from the knowledge base the
    customer's latest message (or the ticket's title and description) and posts the answer as
    `post_as` says, unless an escalation rule fires, in which case the ticket moves to
    `escalated` and nothing reaches the customer. Internal notes are never part of the
    question. A run whose provider fails is retried, then marked `failed`; the ticket stays as
    it was.

    Args:
        id (UUID):
        body (AssistIn | Unset): An agent's request for an answer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssistantRunOut | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: AssistIn | Unset = UNSET,
) -> AssistantRunOut | Problem | None:
    """Ask the assistant to answer a ticket (agents and admins). Queues a run whatever the
    tenant's assistant mode (even `off`); a worker answers from the knowledge base the
    customer's latest message (or the ticket's title and description) and posts the answer as
    `post_as` says, unless an escalation rule fires, in which case the ticket moves to
    `escalated` and nothing reaches the customer. Internal notes are never part of the
    question. A run whose provider fails is retried, then marked `failed`; the ticket stays as
    it was.

    Args:
        id (UUID):
        body (AssistIn | Unset): An agent's request for an answer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssistantRunOut | Problem
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: AssistIn | Unset = UNSET,
) -> Response[AssistantRunOut | Problem]:
    """Ask the assistant to answer a ticket (agents and admins). Queues a run whatever the
    tenant's assistant mode (even `off`); a worker answers from the knowledge base the
    customer's latest message (or the ticket's title and description) and posts the answer as
    `post_as` says, unless an escalation rule fires, in which case the ticket moves to
    `escalated` and nothing reaches the customer. Internal notes are never part of the
    question. A run whose provider fails is retried, then marked `failed`; the ticket stays as
    it was.

    Args:
        id (UUID):
        body (AssistIn | Unset): An agent's request for an answer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssistantRunOut | Problem]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    body: AssistIn | Unset = UNSET,
) -> AssistantRunOut | Problem | None:
    """Ask the assistant to answer a ticket (agents and admins). Queues a run whatever the
    tenant's assistant mode (even `off`); a worker answers from the knowledge base the
    customer's latest message (or the ticket's title and description) and posts the answer as
    `post_as` says, unless an escalation rule fires, in which case the ticket moves to
    `escalated` and nothing reaches the customer. Internal notes are never part of the
    question. A run whose provider fails is retried, then marked `failed`; the ticket stays as
    it was.

    Args:
        id (UUID):
        body (AssistIn | Unset): An agent's request for an answer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssistantRunOut | Problem
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
