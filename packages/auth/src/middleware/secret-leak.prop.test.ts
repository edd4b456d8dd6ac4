import { inspect } from 'node:util';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { type AuthEvent } from './auth-events.js';
import { createAuthMiddleware } from './auth-middleware.js';

function response(
  req: TransportRequest,
  status: number,
  headers: Record<string, string>,
  body: string,
): TransportResponse {
  return {
    status,
    headers,
    url: req.url,
    body: Readable.from([]),
    header: (n) => headers[n.toLowerCase()],
    text: async () => body,
    bytes: async () => new TextEncoder().encode(body),
    json: async () => JSON.parse(body) as never,
    dump: async () => undefined,
  };
}

/** An in-memory registry (Bearer) + token service that refuses every credential. */
function refusingNext(tokenStatus: number): Next {
  return async (req) => {
    if (req.url.pathname === '/token') {
      return response(
        req,
        tokenStatus,
        {},
        tokenStatus === 200 ? '{"token":"t"}' : '{"details":"no"}',
      );
    }
    return response(
      req,
      401,
      {
        'www-authenticate':
          'Bearer realm="https://auth.test/token",service="s",scope="repository:a:pull"',
      },
      '{"errors":[{"code":"UNAUTHORIZED","message":"x"}]}',
    );
  };
}

describe('secrets never leak (property)', () => {
  it('no password appears in errors or events, whatever its value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).map((s) => `P@ss-${s}`),
        fc.constantFrom(200, 401, 403, 500),
        async (password, tokenStatus) => {
          const events: AuthEvent[] = [];
          const auth = createAuthMiddleware({
            credentials: { username: 'user', password },
            onEvent: (e) => events.push(e),
          });
          const err = await auth
            .handle(
              {
                method: 'GET',
                url: new URL('https://registry.test/v2/a/manifests/x'),
                headers: {},
              },
              refusingNext(tokenStatus),
            )
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(Error);
          const text = [
            inspect(err, { depth: Infinity, showHidden: true }),
            JSON.stringify(err),
            JSON.stringify(events),
            inspect(auth, { depth: 5 }),
          ].join('\n');
          expect(text.includes(password)).toBe(false);
          expect(text.includes(Buffer.from(`user:${password}`).toString('base64'))).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });
});
