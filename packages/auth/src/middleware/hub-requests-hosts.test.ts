import { InsecureTransportError, Secret } from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { type HubSession } from '../hub/hub-login.js';
import { sendHubRequest } from './hub-requests.js';

/** A session that hands out `jwt-N`, counting logins. */
function session(): HubSession & { logins: number } {
  const s = {
    logins: 0,
    origin: 'http://hub.example.test',
    expiresAt: undefined,
    token: async () => Promise.resolve(new Secret(`jwt-${++s.logins}`)),
    invalidate: () => undefined,
    dispose: () => undefined,
  };
  return s;
}

function reply(status: number): TransportResponse {
  return {
    status,
    headers: {},
    dump: async () => Promise.resolve(),
    text: async () => Promise.resolve(''),
  } as unknown as TransportResponse;
}

const get = (url: string): TransportRequest => ({ method: 'GET', url: new URL(url), headers: {} });

describe('sendHubRequest hosts and paths', () => {
  it('sends the JWT over plain HTTP to a listed host, in any case, from an array or a set', async () => {
    const sent: (string | undefined)[] = [];
    const next: Next = async (r) => {
      sent.push(r.headers['authorization']);
      return Promise.resolve(reply(200));
    };
    const url = 'http://hub.example.test:8080/v2/x';
    expect(
      (
        await sendHubRequest(get(url), next, {
          hub: session(),
          insecureHosts: ['HUB.example.test:8080'],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await sendHubRequest(get(url), next, {
          hub: session(),
          insecureHosts: new Set(['hub.example.test:8080']),
        })
      ).status,
    ).toBe(200);
    expect(sent).toEqual(['Bearer jwt-1', 'Bearer jwt-1']);
    await expect(sendHubRequest(get(url), next, { hub: session() })).rejects.toBeInstanceOf(
      InsecureTransportError,
    );
    await expect(
      sendHubRequest(get(url), next, { hub: session(), insecureHosts: ['other.test:8080'] }),
    ).rejects.toBeInstanceOf(InsecureTransportError);
  });

  it('passes each login endpoint through untouched, with or without a trailing slash, and nothing else', async () => {
    const hub = session();
    const seen: (string | undefined)[] = [];
    const next: Next = async (r) => {
      seen.push(r.headers['authorization']);
      return Promise.resolve(reply(200));
    };
    for (const path of ['/v2/auth/token', '/v2/users/login/', '/v2/users/2fa-login']) {
      await sendHubRequest(get(`https://hub.example.test${path}`), next, { hub });
    }
    expect(seen).toEqual([undefined, undefined, undefined]);
    expect(hub.logins).toBe(0);
    for (const path of ['/v2/users/login/x', '/api/v2/auth/token', '/v2/users/']) {
      await sendHubRequest(get(`https://hub.example.test${path}`), next, { hub });
    }
    expect(seen.slice(3)).toEqual(['Bearer jwt-1', 'Bearer jwt-2', 'Bearer jwt-3']);
  });

  it('returns a first answer other than 401 as is, asking for one JWT per request', async () => {
    const hub = session();
    for (const status of [200, 403, 500]) {
      expect(
        (
          await sendHubRequest(
            get('https://hub.example.test/v2/x'),
            async () => Promise.resolve(reply(status)),
            { hub },
          )
        ).status,
      ).toBe(status);
    }
    expect(hub.logins).toBe(3);
  });

  it('returns the second answer when the renewed JWT is accepted', async () => {
    const hub = session();
    const statuses = [401, 204];
    const res = await sendHubRequest(
      get('https://hub.example.test/v2/x'),
      async () => Promise.resolve(reply(statuses.shift() ?? 0)),
      { hub },
    );
    expect(res.status).toBe(204);
    expect(hub.logins).toBe(2);
  });
});
