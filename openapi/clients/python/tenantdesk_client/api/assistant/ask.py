from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.answer_out import AnswerOut
from ...models.ask_in import AskIn
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: AskIn,
    accept: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept, Unset):
        headers["Accept"] = accept

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/ask",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AnswerOut | Problem | None:
    if response.status_code == 200:
        response_200 = AnswerOut.from_dict(response.json())

        return response_200

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
) -> Response[AnswerOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AskIn,
    accept: str | Unset = UNSET,
) -> Response[AnswerOut | Problem]:
    """Ask the assistant a question (any user of the tenant, or a read-only API key). It searches
    the knowledge base (hybrid search, the tenant's top-k and minimum score), gives the
    passages that fit its context budget to the tenant's provider, and answers citing them as
    `[1]`, `[2]`. The built-in provider quotes the best one or two sentences; it does not
    write. The escalation rules are evaluated and reported (`escalated`, `escalation`), but
    the answer is returned anyway. With `Accept: text/event-stream` the answer streams as
    server-sent events: `delta` events with text as it comes, then `done` with the whole
    answer, its sources and `log_id` (or `error` with a problem). Every answer is written to
    the query log. A provider that does not answer is a 503 `provider_unavailable`.

    Args:
        accept (str | Unset):
        body (AskIn): A question for the assistant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnswerOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        accept=accept,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AskIn,
    accept: str | Unset = UNSET,
) -> AnswerOut | Problem | None:
    """Ask the assistant a question (any user of the tenant, or a read-only API key). It searches
    the knowledge base (hybrid search, the tenant's top-k and minimum score), gives the
    passages that fit its context budget to the tenant's provider, and answers citing them as
    `[1]`, `[2]`. The built-in provider quotes the best one or two sentences; it does not
    write. The escalation rules are evaluated and reported (`escalated`, `escalation`), but
    the answer is returned anyway. With `Accept: text/event-stream` the answer streams as
    server-sent events: `delta` events with text as it comes, then `done` with the whole
    answer, its sources and `log_id` (or `error` with a problem). Every answer is written to
    the query log. A provider that does not answer is a 503 `provider_unavailable`.

    Args:
        accept (str | Unset):
        body (AskIn): A question for the assistant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnswerOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        accept=accept,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AskIn,
    accept: str | Unset = UNSET,
) -> Response[AnswerOut | Problem]:
    """Ask the assistant a question (any user of the tenant, or a read-only API key). It searches
    the knowledge base (hybrid search, the tenant's top-k and minimum score), gives the
    passages that fit its context budget to the tenant's provider, and answers citing them as
    `[1]`, `[2]`. The built-in provider quotes the best one or two sentences; it does not
    write. The escalation rules are evaluated and reported (`escalated`, `escalation`), but
    the answer is returned anyway. With `Accept: text/event-stream` the answer streams as
    server-sent events: `delta` events with text as it comes, then `done` with the whole
    answer, its sources and `log_id` (or `error` with a problem). Every answer is written to
    the query log. A provider that does not answer is a 503 `provider_unavailable`.

    Args:
        accept (str | Unset):
        body (AskIn): A question for the assistant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnswerOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        accept=accept,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AskIn,
    accept: str | Unset = UNSET,
) -> AnswerOut | Problem | None:
    """Ask the assistant a question (any user of the tenant, or a read-only API key). It searches
    the knowledge base (hybrid search, the tenant's top-k and minimum score), gives the
    passages that fit its context budget to the tenant's provider, and answers citing them as
    `[1]`, `[2]`. The built-in provider quotes the best one or two sentences; it does not
    write. The escalation rules are evaluated and reported (`escalated`, `escalation`), but
    the answer is returned anyway. With `Accept: text/event-stream` the answer streams as
    server-sent events: `delta` events with text as it comes, then `done` with the whole
    answer, its sources and `log_id` (or `error` with a problem). Every answer is written to
    the query log. A provider that does not answer is a 503 `provider_unavailable`.

    Args:
        accept (str | Unset):
        body (AskIn): A question for the assistant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnswerOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            accept=accept,
        )
    ).parsed
