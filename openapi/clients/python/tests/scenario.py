"""The SDK scenario (the same in TypeScript, Python and Rust), run against a live service by
tests/api/sdk.rs: TD_BASE_URL, TD_ROOT_EMAIL, TD_ROOT_PASSWORD (a superadmin), TD_SLUG (the
tenant to create; the harness runs an ingestion worker for it). Exits non-zero on the first
failed expectation."""

from __future__ import annotations

import io
import os
import time
from typing import Any, TypeVar

from tenantdesk import ProblemCode, ProblemError, all_pages, anonymous, connect, expect
from tenantdesk_client.api.api_keys import create_api_key
from tenantdesk_client.api.assistant import ask
from tenantdesk_client.api.auth import login, login_superadmin, refresh_token
from tenantdesk_client.api.knowledge import get_ingestion_job, upload_document
from tenantdesk_client.api.search import search
from tenantdesk_client.api.tenants import create_tenant
from tenantdesk_client.api.usage import set_tenant_plan
from tenantdesk_client.api.tickets import (
    create_ticket,
    create_ticket_message,
    get_ticket,
    list_ticket_messages,
    list_tickets,
    transition_ticket,
    update_ticket,
)
from tenantdesk_client.api.users import create_user, list_users
from tenantdesk_client.models import (
    AnswerOut,
    AskIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyScope,
    DocumentType,
    DocumentUpload,
    DocumentWritten,
    JobOut,
    JobStatus,
    MessageIn,
    MessageOut,
    MessagePage,
    PlanIn,
    PlanOut,
    ProviderKind,
    RefreshIn,
    SearchIn,
    SearchMode,
    SearchOut,
    SuperadminTokenIn,
    TenantIn,
    TenantOut,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketPriority,
    TicketStatus,
    TokenIn,
    TokenOut,
    TransitionIn,
    UserIn,
    UserOut,
    UserPage,
    UserRole,
)
from tenantdesk_client.types import File, Unset

T = TypeVar("T")

BASE = os.environ["TD_BASE_URL"]
SLUG = os.environ["TD_SLUG"]
PASSWORD = "a long password for the sdk scenario"


def problem_of(call: Any) -> ProblemError:
    try:
        call()
    except ProblemError as e:
        return e
    raise AssertionError("expected a problem")


def log_in(slug: str, email: str) -> str:
    body = TokenIn(tenant=slug, email=email, password=PASSWORD)
    return expect(login.sync_detailed(client=anonymous(BASE), body=body), TokenOut).access_token


def main() -> None:
    anon = anonymous(BASE)

    # A superadmin creates a tenant and its admin (acting inside it with X-Tenant-Id).
    root = expect(
        login_superadmin.sync_detailed(
            client=anon,
            body=SuperadminTokenIn(
                email=os.environ["TD_ROOT_EMAIL"], password=os.environ["TD_ROOT_PASSWORD"]
            ),
        ), TokenOut)
    platform = connect(BASE, token=root.access_token)
    tenant = expect(
        create_tenant.sync_detailed(client=platform, body=TenantIn(name=f"SDK {SLUG}", slug=SLUG)), TenantOut)
    acting = platform.with_headers({"X-Tenant-Id": str(tenant.id)})
    expect(
        create_user.sync_detailed(
            client=acting,
            body=UserIn(email=f"admin@{SLUG}.test", full_name="Ada", role=UserRole.ADMIN, password=PASSWORD),
        ), UserOut)

    # The admin logs in and refreshes.
    first = expect(
        login.sync_detailed(
            client=anon, body=TokenIn(tenant=SLUG, email=f"admin@{SLUG}.test", password=PASSWORD)
        ), TokenOut)
    assert isinstance(first.refresh_token, str)
    tokens = expect(
        refresh_token.sync_detailed(client=anon, body=RefreshIn(refresh_token=first.refresh_token)), TokenOut)
    admin = connect(BASE, token=tokens.access_token)

    # An agent, a user and an API key; the key authenticates with X-API-Key.
    expect(
        create_user.sync_detailed(
            client=admin, body=UserIn(email=f"agent@{SLUG}.test", role=UserRole.AGENT, password=PASSWORD)
        ), UserOut)
    customer = expect(
        create_user.sync_detailed(
            client=admin, body=UserIn(email=f"user@{SLUG}.test", role=UserRole.USER, password=PASSWORD)
        ), UserOut)
    key = expect(
        create_api_key.sync_detailed(client=admin, body=ApiKeyIn(name="sdk", scope=ApiKeyScope.READ_WRITE)), ApiKeyCreated)
    via_key = connect(BASE, api_key=key.key)
    assert len(expect(list_users.sync_detailed(client=via_key), UserPage).items) == 3

    # Tickets: created with an Idempotency-Key, replayed.
    body = TicketIn(title="Printer on fire", priority=TicketPriority.URGENT)
    ticket = expect(create_ticket.sync_detailed(client=admin, body=body, idempotency_key=f"sdk-{SLUG}"), TicketOut)
    replay = create_ticket.sync_detailed(client=admin, body=body, idempotency_key=f"sdk-{SLUG}")
    assert expect(replay, TicketOut).id == ticket.id
    assert replay.headers.get("idempotent-replayed") == "true"

    # Listed to the end through every cursor page.
    for i in range(4):
        expect(create_ticket.sync_detailed(client=admin, body=TicketIn(title=f"Ticket {i}")), TicketOut)
    pages = 0

    def page(cursor: str | Unset) -> Any:
        nonlocal pages
        pages += 1
        return list_tickets.sync_detailed(client=admin, limit=2, cursor=cursor, status=[TicketStatus.OPEN])

    assert len(list(all_pages(page, TicketPage))) == 5
    assert pages == 3

    # A forbidden transition: a typed problem carrying `code` and `allowed`.
    bad = problem_of(
        lambda: expect(
            transition_ticket.sync_detailed(
                client=admin, id=ticket.id, body=TransitionIn(to=TicketStatus.REOPENED)
            ), TicketOut)
    )
    assert bad.status == 409 and bad.code == ProblemCode.INVALID_TRANSITION, bad
    assert "in_progress" in bad.allowed, bad.allowed

    # If-Match with a stale ETag: a typed 412.
    etag = get_ticket.sync_detailed(client=admin, id=ticket.id).headers["etag"]
    expect(
        transition_ticket.sync_detailed(
            client=admin, id=ticket.id, body=TransitionIn(to=TicketStatus.IN_PROGRESS), if_match=etag
        ), TicketOut)
    stale = problem_of(
        lambda: expect(
            update_ticket.sync_detailed(
                client=admin, id=ticket.id, body=TicketPatch(title="Printer still on fire"), if_match=etag
            ), TicketOut)
    )
    assert stale.status == 412 and stale.code == ProblemCode.PRECONDITION_FAILED, stale

    # Messages: an internal note the user cannot see.
    user = connect(BASE, token=log_in(SLUG, f"user@{SLUG}.test"))
    own = expect(create_ticket.sync_detailed(client=user, body=TicketIn(title="My laptop")), TicketOut)
    assert own.creator_id == customer.id
    expect(
        create_ticket_message.sync_detailed(
            client=admin, id=own.id, body=MessageIn(content="Customer is a VIP", is_internal=True)
        ), MessageOut)
    expect(create_ticket_message.sync_detailed(client=admin, id=own.id, body=MessageIn(content="We are on it")), MessageOut)
    assert len(expect(list_ticket_messages.sync_detailed(client=admin, id=own.id), MessagePage).items) == 2
    seen = expect(list_ticket_messages.sync_detailed(client=user, id=own.id), MessagePage).items
    assert [m.content for m in seen] == ["We are on it"], seen

    # A multipart upload, its ingestion job, hybrid search finding it.
    text = b"Resetting the flux capacitor: hold the red button for ten seconds, then release it."
    upload = DocumentUpload(
        file=File(payload=io.BytesIO(text), file_name="flux.txt", mime_type="text/plain"),
        title="Flux capacitor reset",
        type_=DocumentType.GUIDE.value,
    )
    doc = expect(upload_document.sync_detailed(client=admin, body=upload), DocumentWritten)
    assert isinstance(doc.job_id, type(doc.id))
    deadline = time.monotonic() + 120
    while True:
        job = expect(get_ingestion_job.sync_detailed(client=admin, id=doc.job_id), JobOut)
        if job.status == JobStatus.COMPLETED:
            break
        assert job.status != JobStatus.FAILED, job
        assert time.monotonic() < deadline, "ingestion did not finish in time"
        time.sleep(0.2)
    found = expect(
        search.sync_detailed(
            client=admin, body=SearchIn(query="how do I reset the flux capacitor", mode=SearchMode.HYBRID)
        ), SearchOut)
    assert found.results and found.results[0].document_id == doc.id, found

    # The assistant (the built-in responder) answers from that document, citing it.
    answer = expect(ask.sync_detailed(client=user, body=AskIn(question="How do I reset the flux capacitor?")), AnswerOut)
    assert answer.provider == ProviderKind.BUILTIN, answer
    assert answer.sources and answer.sources[0].document_id == doc.id, answer
    assert "red button" in answer.answer, answer

    # A write past the tenant's plan: a typed 403 naming the quota.
    expect(set_tenant_plan.sync_detailed(tenant.id, client=platform, body=PlanIn(max_api_keys=1)), PlanOut)
    over = problem_of(
        lambda: expect(
            create_api_key.sync_detailed(client=admin, body=ApiKeyIn(name="second", scope=ApiKeyScope.READ_ONLY)),
            ApiKeyCreated,
        )
    )
    assert over.status == 403 and over.code == ProblemCode.QUOTA_EXCEEDED, over
    assert over.quota == "max_api_keys", over.problem

    # Another tenant's id: a typed 404.
    other = expect(
        create_tenant.sync_detailed(client=platform, body=TenantIn(name=f"SDK other {SLUG}", slug=f"{SLUG}-o")), TenantOut)
    expect(
        create_user.sync_detailed(
            client=platform.with_headers({"X-Tenant-Id": str(other.id)}),
            body=UserIn(email=f"admin@{SLUG}-o.test", role=UserRole.ADMIN, password=PASSWORD),
        ), UserOut)
    stranger = connect(BASE, token=log_in(f"{SLUG}-o", f"admin@{SLUG}-o.test"))
    missing = problem_of(lambda: expect(get_ticket.sync_detailed(client=stranger, id=ticket.id), TicketOut))
    assert missing.status == 404 and missing.code == ProblemCode.NOT_FOUND, missing

    print("python scenario: passed")


if __name__ == "__main__":
    main()
