import { InsecureTransportError, RegistryError } from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { verifyRegistryLogin } from './verify-login.js';

function reply(status: number, headers: Record<string, string> = {}): TransportResponse {
  return {
    status,
    headers,
    dump: async () => Promise.resolve(),
    text: async () => Promise.resolve(''),
  } as unknown as TransportResponse;
}

describe('verifyRegistryLogin request', () => {
  it('sends GET /v2/ asking for JSON, with the caller signal', async () => {
    const sent: TransportRequest[] = [];
    const send: Next = async (r) => {
      sent.push(r);
      return Promise.resolve(reply(200));
    };
    const signal = new AbortController().signal;
    await verifyRegistryLogin(
      'https://r.test/some/path',
      { username: 'a', password: 'b' },
      { send, signal },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe('GET');
    expect(sent[0]?.url.href).toBe('https://r.test/v2/');
    expect(sent[0]?.headers).toEqual({ accept: 'application/json' });
    expect(sent[0]?.signal).toBe(signal);
    await verifyRegistryLogin('https://r.test', { username: 'a', password: 'b' }, { send });
    expect(sent[1] !== undefined && 'signal' in sent[1]).toBe(false);
  });

  it('names the host and the status when /v2/ does not answer 200', async () => {
    const send: Next = async () => Promise.resolve(reply(404));
    const error: unknown = await verifyRegistryLogin(
      'https://r.test:5000',
      { username: 'a', password: 'b' },
      { send },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe('login check at r.test:5000: /v2/ answered 404');
    expect((error as RegistryError).status).toBe(404);
  });

  it('sends Basic credentials over plain HTTP only to a host listed as insecure', async () => {
    const sent: TransportRequest[] = [];
    let n = 0;
    const send: Next = async (r) => {
      sent.push(r);
      n += 1;
      return Promise.resolve(
        n % 2 === 1 ? reply(401, { 'www-authenticate': 'Basic realm="r"' }) : reply(200),
      );
    };
    await verifyRegistryLogin(
      'http://r.test:8080',
      { username: 'a', password: 'b' },
      { send, insecureHosts: ['r.test:8080'] },
    );
    expect(sent.map((r) => r.headers['authorization'])).toEqual([
      undefined,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
    ]);
    n = 0;
    await expect(
      verifyRegistryLogin('http://r.test:8080', { username: 'a', password: 'b' }, { send }),
    ).rejects.toBeInstanceOf(InsecureTransportError);
  });
});
