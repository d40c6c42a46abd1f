/**
 * The SDK scenario (the same in TypeScript, Python and Rust), run against a live service by
 * tests/api/sdk.rs: TD_BASE_URL, TD_ROOT_EMAIL, TD_ROOT_PASSWORD (a superadmin), TD_SLUG (the
 * tenant to create; the harness runs an ingestion worker for it). Exits non-zero on the first
 * failed expectation.
 */
import assert from 'node:assert/strict';

import {
  ProblemError,
  allPages,
  ask,
  connect,
  createApiKey,
  createTenant,
  createTicket,
  createTicketMessage,
  createUser,
  expect,
  getIngestionJob,
  getTicket,
  listTicketMessages,
  listTickets,
  listUsers,
  login,
  loginSuperadmin,
  refreshToken,
  search,
  setTenantPlan,
  transitionTicket,
  updateTicket,
  uploadDocument,
} from '../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = env('TD_BASE_URL');
const slug = env('TD_SLUG');
const password = 'a long password for the sdk scenario';

async function problemOf(call: Promise<unknown>): Promise<ProblemError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  assert.fail('expected a problem');
}

async function main(): Promise<void> {
  const anon = connect(base);

  // A superadmin creates a tenant and its admin (acting inside it with X-Tenant-Id).
  const root = await expect(
    loginSuperadmin({
      client: anon,
      body: { email: env('TD_ROOT_EMAIL'), password: env('TD_ROOT_PASSWORD') },
    }),
  );
  const platform = connect(base, { token: root.access_token });
  const tenant = await expect(
    createTenant({ client: platform, body: { name: `SDK ${slug}`, slug } }),
  );
  const inTenant = { 'X-Tenant-Id': tenant.id };
  await expect(
    createUser({
      client: platform,
      headers: inTenant,
      body: { email: `admin@${slug}.test`, full_name: 'Ada', role: 'admin', password },
    }),
  );

  // The admin logs in and refreshes.
  const first = await expect(
    login({ client: anon, body: { tenant: slug, email: `admin@${slug}.test`, password } }),
  );
  assert.ok(first.refresh_token);
  const tokens = await expect(
    refreshToken({ client: anon, body: { refresh_token: first.refresh_token! } }),
  );
  const admin = connect(base, { token: tokens.access_token });

  // An agent, a user and an API key; the key authenticates with X-API-Key.
  await expect(
    createUser({
      client: admin,
      body: { email: `agent@${slug}.test`, role: 'agent', password },
    }),
  );
  const customer = await expect(
    createUser({
      client: admin,
      body: { email: `user@${slug}.test`, role: 'user', password },
    }),
  );
  const key = await expect(
    createApiKey({ client: admin, body: { name: 'sdk', scope: 'read_write' } }),
  );
  const viaKey = connect(base, { apiKey: key.key });
  const users = await expect(listUsers({ client: viaKey }));
  assert.equal(users.items.length, 3);

  // Tickets: created with an Idempotency-Key, replayed.
  const idem = { 'Idempotency-Key': `sdk-${slug}` };
  const created = await createTicket({
    client: admin,
    headers: idem,
    body: { title: 'Printer on fire', priority: 'urgent' },
  });
  const ticket = await expect(created);
  const replay = await createTicket({
    client: admin,
    headers: idem,
    body: { title: 'Printer on fire', priority: 'urgent' },
  });
  assert.equal((await expect(replay)).id, ticket.id);
  assert.equal(replay.response.headers.get('idempotent-replayed'), 'true');

  // Listed to the end through every cursor page.
  for (let i = 0; i < 4; i++) {
    await expect(createTicket({ client: admin, body: { title: `Ticket ${i}` } }));
  }
  let pages = 0;
  const all = [];
  for await (const t of allPages((cursor) => {
    pages++;
    return listTickets({ client: admin, query: { limit: 2, cursor, status: ['open'] } });
  })) {
    all.push(t);
  }
  assert.equal(all.length, 5);
  assert.equal(pages, 3);

  // A forbidden transition: a typed problem carrying `code` and `allowed`.
  const bad = await problemOf(
    expect(transitionTicket({ client: admin, path: { id: ticket.id }, body: { to: 'reopened' } })),
  );
  assert.equal(bad.status, 409);
  assert.equal(bad.code, 'invalid_transition');
  assert.ok(bad.allowed.includes('in_progress'), bad.allowed.join(','));

  // If-Match with a stale ETag: a typed 412.
  const got = await getTicket({ client: admin, path: { id: ticket.id } });
  const etag = got.response.headers.get('etag');
  assert.ok(etag);
  await expect(
    transitionTicket({
      client: admin,
      path: { id: ticket.id },
      headers: { 'If-Match': etag },
      body: { to: 'in_progress' },
    }),
  );
  const stale = await problemOf(
    expect(
      updateTicket({
        client: admin,
        path: { id: ticket.id },
        headers: { 'If-Match': etag },
        body: { title: 'Printer still on fire' },
      }),
    ),
  );
  assert.equal(stale.status, 412);
  assert.equal(stale.code, 'precondition_failed');

  // Messages: an internal note the user cannot see.
  const mine = await expect(
    login({ client: anon, body: { tenant: slug, email: `user@${slug}.test`, password } }),
  );
  const user = connect(base, { token: mine.access_token });
  const own = await expect(createTicket({ client: user, body: { title: 'My laptop' } }));
  assert.equal(own.creator_id, customer.id);
  await expect(
    createTicketMessage({
      client: admin,
      path: { id: own.id },
      body: { content: 'Customer is a VIP', is_internal: true },
    }),
  );
  await expect(
    createTicketMessage({
      client: admin,
      path: { id: own.id },
      body: { content: 'We are on it' },
    }),
  );
  const seenByAdmin = await expect(listTicketMessages({ client: admin, path: { id: own.id } }));
  const seenByUser = await expect(listTicketMessages({ client: user, path: { id: own.id } }));
  assert.equal(seenByAdmin.items.length, 2);
  assert.deepEqual(
    seenByUser.items.map((m) => m.content),
    ['We are on it'],
  );

  // A multipart upload, its ingestion job, hybrid search finding it.
  const text =
    'Resetting the flux capacitor: hold the red button for ten seconds, then release it.';
  const doc = await expect(
    uploadDocument({
      client: admin,
      body: {
        file: new Blob([text], { type: 'text/plain' }),
        title: 'Flux capacitor reset',
        type: 'guide',
      },
    }),
  );
  assert.ok(doc.job_id);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await expect(getIngestionJob({ client: admin, path: { id: doc.job_id! } }));
    if (job.status === 'completed') break;
    assert.notEqual(job.status, 'failed');
    assert.ok(Date.now() < deadline, 'ingestion did not finish in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  const found = await expect(
    search({ client: admin, body: { query: 'how do I reset the flux capacitor', mode: 'hybrid' } }),
  );
  assert.equal(found.results[0]?.document_id, doc.id);

  // The assistant (the built-in responder) answers from that document, citing it.
  const answer = await expect(
    ask({ client: user, body: { question: 'How do I reset the flux capacitor?' } }),
  );
  assert.equal(answer.provider, 'builtin');
  assert.equal(answer.sources[0]?.document_id, doc.id);
  assert.ok(answer.answer.includes('red button'), answer.answer);

  // A write past the tenant's plan: a typed 403 naming the quota.
  await expect(
    setTenantPlan({ client: platform, path: { id: tenant.id }, body: { max_api_keys: 1 } }),
  );
  const over = await problemOf(
    expect(createApiKey({ client: admin, body: { name: 'second', scope: 'read_only' } })),
  );
  assert.equal(over.status, 403);
  assert.equal(over.code, 'quota_exceeded');
  assert.equal(over.quota, 'max_api_keys');

  // Another tenant's id: a typed 404.
  const other = await expect(
    createTenant({ client: platform, body: { name: `SDK other ${slug}`, slug: `${slug}-o` } }),
  );
  await expect(
    createUser({
      client: platform,
      headers: { 'X-Tenant-Id': other.id },
      body: { email: `admin@${slug}-o.test`, role: 'admin', password },
    }),
  );
  const stranger = await expect(
    login({ client: anon, body: { tenant: `${slug}-o`, email: `admin@${slug}-o.test`, password } }),
  );
  const missing = await problemOf(
    expect(
      getTicket({ client: connect(base, { token: stranger.access_token }), path: { id: ticket.id } }),
    ),
  );
  assert.equal(missing.status, 404);
  assert.equal(missing.code, 'not_found');

  console.log('typescript scenario: passed');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
