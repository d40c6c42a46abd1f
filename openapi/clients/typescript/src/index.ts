/**
 * The thin hand-written layer beside `./generated` (written by @hey-api/openapi-ts from
 * openapi/openapi.json; `make sdk`, never edited by hand): `connect` (one credential, one
 * header), `ProblemError` with `expect` (a problem document thrown, typed), and `allPages`
 * (cursor pagination).
 */
import { type Client, createClient, createConfig } from './generated/client/index.js';
import type { Problem } from './generated/types.gen.js';

export * from './generated/index.js';
export type { Client } from './generated/client/index.js';

/** How requests authenticate. */
export type Auth = { token: string } | { apiKey: string } | undefined;

/**
 * A client for `baseUrl` (e.g. `http://127.0.0.1:8080`). The generated operations list both
 * schemes; a plain string token would be sent as both `Authorization` and `X-API-Key`, so the
 * callback answers only the scheme the credential belongs to.
 */
export function connect(baseUrl: string, auth?: Auth): Client {
  return createClient(
    createConfig({
      baseUrl: baseUrl.replace(/\/+$/, ''),
      auth: (scheme) => {
        if (auth && 'token' in auth && scheme.type === 'http') return auth.token;
        if (auth && 'apiKey' in auth && scheme.type === 'apiKey') return auth.apiKey;
        return undefined;
      },
    }),
  );
}

/** An error answer: the status and its RFC 9457 problem document (`problem.code` is stable). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(`${status} ${problem?.code ?? '-'}: ${problem?.detail ?? ''}`);
    this.name = 'ProblemError';
  }

  get code(): Problem['code'] | undefined {
    return this.problem?.code;
  }

  get allowed(): string[] {
    return this.problem?.allowed ?? [];
  }

  /** The plan quota a refused write would exceed (`quota_exceeded`). */
  get quota(): string | undefined {
    return this.problem?.quota;
  }
}

/** What every generated operation resolves to (without `throwOnError`). */
export type Result<T> = { data?: T; error?: unknown; response: Response };

/** The body of a 2xx answer; a `ProblemError` otherwise. */
export async function expect<T>(call: Promise<Result<T>> | Result<T>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const problem =
    error && typeof error === 'object' && 'code' in error ? (error as Problem) : undefined;
  throw new ProblemError(response.status, problem);
}

/** Every item of a cursor-paged list: `page(cursor)` fetches one page. */
export async function* allPages<T>(
  page: (cursor: string | undefined) => Promise<Result<{ items: T[]; next_cursor?: string }>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const body = await expect(page(cursor));
    yield* body.items;
    cursor = body.next_cursor;
  } while (cursor);
}
