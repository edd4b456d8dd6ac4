// The simulator under hostile clients: oversized API bodies, concurrent chunks to one upload,
// invalid Hub names, stale upload sessions, altered JWTs, and sockets that never finish.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '../src/index.js';

const ORIGIN = 'http://hub.test';

/** A body of `total` bytes in 64 KiB chunks that counts what the server pulled. */
function countingBody(total: number): { body: ReadableStream<Uint8Array>; pulled(): number } {
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) {
        controller.close();
        return;
      }
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled: () => pulled };
}

function post(
  sim: Simulator,
  path: string,
  body: ReadableStream<Uint8Array> | string | null,
  headers: Record<string, string> = {},
): Promise<Response> {
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    duplex: 'half',
  };
  return sim.fetch(new Request(`${ORIGIN}${path}`, init));
}

async function hubJwt(sim: Simulator, username: string, password: string): Promise<string> {
  const res = await post(sim, '/v2/users/login', JSON.stringify({ username, password }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe('API bodies are capped before authentication', () => {
  const routes = [
    '/v2/users/login',
    '/v2/auth/token',
    '/token',
    '/v2/namespaces/alice/repositories',
  ];

  it.each(routes)(
    'POST %s with an oversized streamed body gets 413 without the body being read past the cap',
    async (path) => {
      const sim = createSimulator({ users: [{ name: 'alice', password: 'pw' }] });
      const big = countingBody(8 * 1024 * 1024);
      const res = await post(sim, path, big.body);
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect(big.pulled()).toBeLessThanOrEqual(64 * 1024 + 2 * 64 * 1024);
      await sim.close();
    },
  );

  it('a declared Content-Length over the cap is refused before any byte is read; the cap is an option', async () => {
    const sim = createSimulator({ maxApiBodyBytes: 100 });
    const big = countingBody(1024);
    const res = await post(sim, '/v2/users/login', big.body, { 'content-length': '300000000' });
    expect(res.status).toBe(413);
    expect(big.pulled()).toBeLessThanOrEqual(64 * 1024);
    const small = await post(
      sim,
      '/v2/users/login',
      JSON.stringify({ username: 'x', password: 'y' }),
    );
    expect(small.status).toBe(401);
    const over = await post(sim, '/v2/users/login', JSON.stringify({ username: 'x'.repeat(200) }));
    expect(over.status).toBe(413);
    await sim.close();
  });

  it('refuses limits that are not positive with a ConfigError naming them', () => {
    expect(() => createSimulator({ maxApiBodyBytes: 0, uploadTtlSeconds: Number.NaN })).toThrow(
      ConfigError,
    );
    try {
      createSimulator({ maxApiBodyBytes: -1, uploadTtlSeconds: 0 });
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.path)).toEqual([
        'maxApiBodyBytes',
        'uploadTtlSeconds',
      ]);
    }
  });
});

describe('upload sessions', () => {
  async function openSession(sim: Simulator): Promise<string> {
    const res = await post(sim, '/v2/team/app/blobs/uploads/', null);
    expect(res.status).toBe(202);
    return res.headers.get('location') ?? '';
  }

  it('serialises concurrent PATCHes to one session: 202 for the first, 416 for the others', async () => {
    const sim = createSimulator();
    const location = await openSession(sim);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slowChunk = (byte: number): ReadableStream<Uint8Array> =>
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new Uint8Array(4).fill(byte));
          await gate;
          controller.enqueue(new Uint8Array(4).fill(byte));
          controller.close();
        },
      });
    const patches = Array.from({ length: 8 }, (_, i) =>
      sim.fetch(
        new Request(location, {
          method: 'PATCH',
          body: slowChunk(i),
          headers: { 'content-type': 'application/octet-stream' },
          duplex: 'half',
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    open();
    const statuses = (await Promise.all(patches)).map((r) => r.status).sort();
    expect(statuses).toEqual([202, 416, 416, 416, 416, 416, 416, 416]);
    const status = await sim.fetch(new Request(location));
    expect(status.headers.get('range')).toBe('0-7');
    await sim.close();
  });

  it('purges sessions unused for uploadTtlSeconds, bytes included, and keeps recently used ones', async () => {
    let now = 1_000_000;
    const sim = createSimulator({ clock: { now: () => now }, uploadTtlSeconds: 100 });
    const stale = await openSession(sim);
    const patched = await sim.fetch(
      new Request(stale, {
        method: 'PATCH',
        body: 'abc',
        headers: { 'content-type': 'application/octet-stream' },
      }),
    );
    expect(patched.status).toBe(202);
    const staleId = new URL(stale).pathname.split('/').at(-1) ?? '';
    now += 99_000;
    const fresh = await openSession(sim); // sweeps (at most once a minute): nothing is stale yet
    expect(sim.store.state.uploads.has(staleId)).toBe(true);
    now += 61_000;
    await openSession(sim); // sweeps again: the first session was last used 160 s ago
    expect((await sim.fetch(new Request(stale))).status).toBe(404);
    expect(sim.store.state.uploads.has(staleId)).toBe(false);
    expect(await sim.store.blobs.uploadState(staleId)).toBeUndefined();
    expect((await sim.fetch(new Request(fresh))).status).toBe(204);
    await sim.close();
  });
});

describe('Hub repository creation validates namespace and name', () => {
  it.each([
    ['namespace __proto__', '__proto__', 'app'],
    ['namespace ALICE', 'ALICE', 'app'],
    ['namespace a b', 'a%20b', 'app'],
    ['name __proto__', 'alice', '__proto__'],
    ['name ALICE', 'alice', 'ALICE'],
    ['name a b', 'alice', 'a b'],
  ])('refuses %s with 400 and creates nothing', async (_what, namespace, name) => {
    const sim = createSimulator({ users: [{ name: 'alice', password: 'pw' }] });
    const jwt = await hubJwt(sim, 'alice', 'pw');
    const res = await post(
      sim,
      `/v2/namespaces/${namespace}/repositories`,
      JSON.stringify({ name }),
      {
        authorization: `Bearer ${jwt}`,
      },
    );
    expect(res.status).toBe(400);
    expect(sim.store.state.repos.size).toBe(0);
    const ok = await post(
      sim,
      '/v2/namespaces/alice/repositories',
      JSON.stringify({ name: 'app' }),
      {
        authorization: `Bearer ${jwt}`,
      },
    );
    expect(ok.status).toBe(201);
    await sim.close();
  });
});

describe('JWTs are parsed as strict base64url', () => {
  it('refuses registry and Hub tokens with a trailing = (or other non-canonical text) on the signature', async () => {
    const sim = createSimulator({ auth: 'token', users: [{ name: 'alice', password: 'pw' }] });
    const tokenRes = await sim.fetch(
      new Request(`${ORIGIN}/token?service=simulation-registry&scope=repository:alice/app:pull`),
    );
    const { token } = (await tokenRes.json()) as { token: string };
    const ping = (bearer: string) =>
      sim.fetch(new Request(`${ORIGIN}/v2/`, { headers: { authorization: `Bearer ${bearer}` } }));
    expect((await ping(token)).status).toBe(200);
    for (const altered of [
      `${token}=`,
      `${token}==`,
      token.replace(/.$/, (c) => String.fromCharCode(c.charCodeAt(0) ^ 1)),
    ])
      expect((await ping(altered)).status).toBe(401);
    const jwt = await hubJwt(sim, 'alice', 'pw');
    const hub = (bearer: string) =>
      sim.fetch(
        new Request(`${ORIGIN}/v2/namespaces/alice/repositories`, {
          headers: { authorization: `Bearer ${bearer}` },
        }),
      );
    expect((await hub(jwt)).status).toBe(200);
    expect((await hub(`${jwt}=`)).status).toBe(401);
    await sim.close();
  });
});

describe('socket timeouts on the loopback server', () => {
  /** Connects, sends `text`, and resolves with the ms until the server closed the socket. */
  function closedAfter(url: string, text: string, limitMs: number): Promise<number> {
    const { port, hostname } = new URL(url);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(Number(port), hostname, () => socket.write(text));
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`socket still open after ${limitMs} ms`));
      }, limitMs);
    });
  }

  it('closes a socket whose headers do not arrive within headersTimeoutMs', async () => {
    const sim = createSimulator();
    const { url } = await sim.listen({ headersTimeoutMs: 300, idleTimeoutMs: 60_000 });
    expect(
      await closedAfter(url, 'GET /v2/ HTTP/1.1\r\nHost: x\r\n', 3_000),
    ).toBeGreaterThanOrEqual(250);
    await sim.close();
  });

  it('closes a socket that goes silent mid-body after idleTimeoutMs', async () => {
    const sim = createSimulator();
    const { url } = await sim.listen({ idleTimeoutMs: 400 });
    const head =
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant';
    expect(await closedAfter(url, head, 3_000)).toBeGreaterThanOrEqual(350);
    await sim.close();
  });

  it('refuses a timeout that is not a whole number of ms >= 1', async () => {
    const sim = createSimulator();
    await expect(sim.listen({ idleTimeoutMs: 0 })).rejects.toThrow(RangeError);
    await sim.close();
  });
});
