import {
  AuthenticationError,
  InsecureTransportError,
  pullScope,
  pushScope,
  RateLimitError,
  RegistryError,
  ValidationError,
} from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, toCredential } from '../credentials/types.js';
import { fetchRegistryToken, type TokenRequest } from './token-client.js';

function reply(
  status: number,
  body: unknown = { token: 'tok' },
  headers: Record<string, string> = {},
): TransportResponse {
  return {
    status,
    headers,
    header: (name: string) => headers[name.toLowerCase()],
    dump: async () => Promise.resolve(),
    text: async () => Promise.resolve(JSON.stringify(body)),
  } as unknown as TransportResponse;
}

function recorder(...replies: TransportResponse[]): { send: Next; sent: TransportRequest[] } {
  const sent: TransportRequest[] = [];
  const send: Next = async (r) => {
    sent.push(r);
    return Promise.resolve(replies.shift() ?? reply(200));
  };
  return { send, sent };
}

const alice = toCredential({ username: 'alice', password: 'pw' });
const base: TokenRequest = {
  realm: 'https://auth.test/token',
  service: 'reg',
  scopes: [pullScope('a/b')],
  credential: alice,
};
const clock = { now: () => 1_000_000 };

describe('fetchRegistryToken requests', () => {
  it('sends a GET with service, scopes and account, exact headers, and the token context', async () => {
    const { send, sent } = recorder();
    await fetchRegistryToken(
      { ...base, scopes: [pullScope('a/b'), pushScope('c')] },
      { send, clock },
    );
    const req = sent[0];
    expect(req?.method).toBe('GET');
    expect(req?.url.href).toBe(
      'https://auth.test/token?service=reg&scope=repository%3Aa%2Fb%3Apull&scope=repository%3Ac%3Apull%2Cpush&account=alice',
    );
    expect(req?.headers).toEqual({
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}`,
    });
    expect(req?.idempotent).toBe(true);
    expect(req?.context).toEqual({ operation: 'auth.token', authSkip: true });
    expect(req !== undefined && 'signal' in req).toBe(false);
  });

  it('leaves out an empty service, adds offline_token with the client id, and passes the signal', async () => {
    const { send, sent } = recorder();
    const signal = new AbortController().signal;
    await fetchRegistryToken(
      {
        ...base,
        service: '',
        scopes: [],
        credential: ANONYMOUS,
        offlineToken: true,
        clientId: 'me',
        signal,
      },
      { send, clock },
    );
    expect(sent[0]?.url.search).toBe('?offline_token=true&client_id=me');
    expect(sent[0]?.headers).toEqual({ accept: 'application/json' });
    expect(sent[0]?.signal).toBe(signal);
  });

  it('posts the password grant form with forceOAuth, with the same context', async () => {
    const { send, sent } = recorder();
    await fetchRegistryToken({ ...base, forceOAuth: true, offlineToken: true }, { send, clock });
    expect(sent[0]?.method).toBe('POST');
    expect(sent[0]?.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(sent[0]?.body).toBe(
      'grant_type=password&username=alice&password=pw&access_type=offline&service=reg&client_id=docker-hub-ts&scope=repository%3Aa%2Fb%3Apull',
    );
    expect(sent[0]?.context).toEqual({ operation: 'auth.token', authSkip: true });
    const plain = recorder();
    await fetchRegistryToken(
      { ...base, service: '', scopes: [], forceOAuth: true },
      { send: plain.send, clock },
    );
    expect(plain.sent[0]?.body).toBe(
      'grant_type=password&username=alice&password=pw&client_id=docker-hub-ts',
    );
  });

  it('asks anonymously with a GET even when forceOAuth is set', async () => {
    const { send, sent } = recorder();
    await fetchRegistryToken({ ...base, credential: ANONYMOUS, forceOAuth: true }, { send, clock });
    expect(sent.map((r) => r.method)).toEqual(['GET']);
    expect(sent[0]?.url.searchParams.has('account')).toBe(false);
  });

  it('refuses realms that are not absolute http(s) URLs without user info, saying which', async () => {
    const { send, sent } = recorder();
    const bad = async (realm: string): Promise<ValidationError> => {
      const e: unknown = await fetchRegistryToken({ ...base, realm }, { send, clock }).catch(
        (x: unknown) => x,
      );
      if (!(e instanceof ValidationError)) throw new Error(`not a ValidationError for ${realm}`);
      return e;
    };
    const relative = await bad(`/token${'x'.repeat(300)}`);
    expect(relative.code).toBe('INVALID_ARGUMENT');
    expect(relative.message).toBe('token realm is not an absolute URL');
    expect(relative.input).toBe(`/token${'x'.repeat(194)}`);
    for (const realm of [
      'ftp://auth.test/token',
      'https://u@auth.test/token',
      'https://:p@auth.test/token',
    ]) {
      const e = await bad(realm);
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toBe('token realm must be an http(s) URL without user info');
      expect(e.input).toBe(`${new URL(realm).protocol}//auth.test`);
    }
    const token = await fetchRegistryToken(
      { ...base, credential: toCredential({ registryToken: 'rt' }) },
      { send, clock },
    ).catch((x: unknown) => x);
    expect(token).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'a registry token credential is sent as is and cannot be exchanged',
      input: 'registrytoken',
    });
    expect(sent).toEqual([]);
  });

  it('sends credentials over plain HTTP only to loopback or listed hosts, anonymous requests anywhere', async () => {
    const { send, sent } = recorder();
    const realm = 'http://auth.test/token';
    await expect(fetchRegistryToken({ ...base, realm }, { send, clock })).rejects.toBeInstanceOf(
      InsecureTransportError,
    );
    await fetchRegistryToken(
      { ...base, realm, insecureHosts: new Set(['auth.test']) },
      { send, clock },
    );
    await fetchRegistryToken({ ...base, realm, credential: ANONYMOUS }, { send, clock });
    expect(sent).toHaveLength(2);
  });

  it('maps answers: 400 and 429 by status, a 401 naming the account, a body without a token', async () => {
    const what = 'token request to auth.test';
    const e400: unknown = await fetchRegistryToken(base, {
      send: recorder(reply(400)).send,
      clock,
    }).catch((x: unknown) => x);
    expect(e400).toBeInstanceOf(RegistryError);
    expect((e400 as RegistryError).message).toBe(`${what}: unexpected status 400`);
    const e429: unknown = await fetchRegistryToken(base, {
      send: recorder(reply(429, {}, { 'retry-after': '9' })).send,
      clock,
    }).catch((x: unknown) => x);
    expect(e429).toBeInstanceOf(RateLimitError);
    expect((e429 as RateLimitError).resetAt).toBeInstanceOf(Date);
    const e401: unknown = await fetchRegistryToken(base, {
      send: recorder(reply(401)).send,
      clock,
    }).catch((x: unknown) => x);
    expect(e401).toBeInstanceOf(AuthenticationError);
    expect((e401 as AuthenticationError).message).toBe(
      `${what}: token service refused the credentials of account "alice"`,
    );
    expect((e401 as AuthenticationError).status).toBe(401);
    const empty: unknown = await fetchRegistryToken(base, {
      send: recorder(reply(200, {})).send,
      clock,
    }).catch((x: unknown) => x);
    expect(empty).toBeInstanceOf(RegistryError);
    expect((empty as RegistryError).message).toBe(
      `${what}: answer has no "token" or "access_token"`,
    );
    expect((empty as RegistryError).status).toBe(200);
    const ok = await fetchRegistryToken(base, {
      send: recorder(reply(399, { token: 'fine' })).send,
      clock,
    });
    expect(ok.token.reveal()).toBe('fine');
  });
});
