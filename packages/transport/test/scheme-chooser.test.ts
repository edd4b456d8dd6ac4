// What `SchemeChooser` learns from outcomes and when it upgrades a request, with a store of its
// own: the answers kept, replaced or forgotten for each kind of failure (error codes anywhere in
// the first five links of the cause chain) and answer; and its HTTPS request when the ClientHello
// answer says nothing, against a real loopback server that speaks another protocol.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { NetworkError } from '@llmdevops/docker-hub-core';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostTls } from '../src/dispatch/certs-dir.js';
import { createResponse } from '../src/dispatch/response.js';
import { SchemeChooser, createSchemeStore, type HostScheme, type SchemeStore } from '../src/dispatch/scheme.js';
import type { Next, TransportRequest } from '../src/pipeline/types.js';
import { Readable } from 'node:stream';

const agent = new Agent();
afterAll(async () => {
  await agent.close();
});

function chooser(store: SchemeStore, hostTls = new HostTls()): SchemeChooser {
  return new SchemeChooser({ dispatcher: agent, hostTls, insecureHosts: ['insecure.test:5000'], timeoutMs: 2_000, store });
}

const req = (url: string, httpsFirst = true): TransportRequest => ({ method: 'GET', url: new URL(url), headers: {}, context: { httpsFirst } });

/** A `next` that answers with `status` and `contentType`, recording the URLs it was given. */
function answering(status: number, contentType?: string): { next: Next; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    next: (r) => {
      urls.push(r.url.href);
      return Promise.resolve(createResponse({ status, headers: contentType === undefined ? {} : { 'content-type': contentType }, url: r.url, body: Readable.from([]), what: 'w' }));
    },
  };
}

const failing = (err: Error): Next => () => Promise.reject(err);

/** An Error with the given own properties (`code`, `causeCode`, `cause`). */
const coded = (props: Readonly<Record<string, unknown>>): Error => Object.assign(new Error('failed'), props);

/** `err` nested `depth` causes deep. */
function nested(err: Error, depth: number): Error {
  let e = err;
  for (let i = 0; i < depth; i += 1) e = new Error('wrapped', { cause: e });
  return e;
}

function storeWith(host: string, scheme: HostScheme): SchemeStore {
  const store = createSchemeStore();
  store.set(host, scheme);
  return store;
}

describe('learning from a plain request to a host remembered as plain', () => {
  it.each([
    ['a NetworkError with causeCode ECONNRESET', new NetworkError('x', { causeCode: 'ECONNRESET' })],
    ['an error coded UND_ERR_SOCKET', coded({ code: 'UND_ERR_SOCKET' })],
    ['a NETWORK error whose cause is coded HPE_INVALID_CONSTANT', coded({ code: 'NETWORK', cause: coded({ code: 'HPE_INVALID_CONSTANT' }) })],
    ['EPROTO four causes deep', nested(coded({ code: 'EPROTO' }), 4)],
  ])('forgets the answer after %s (the port may speak TLS now)', async (_name, err) => {
    const store = storeWith('127.0.0.1:1', 'http');
    await expect(chooser(store).send(req('http://127.0.0.1:1/v2/'), failing(err))).rejects.toBe(err);
    expect(store.get('127.0.0.1:1')).toBeUndefined();
  });

  it.each([
    ['ECONNREFUSED', new NetworkError('x', { causeCode: 'ECONNREFUSED' })],
    ['a code five causes deep', nested(coded({ code: 'ECONNRESET' }), 5)],
    ['a causeCode that is not a string, then a NETWORK code', coded({ causeCode: 1, code: 'NETWORK' })],
    ['a cause that is not an object', coded({ cause: 'ECONNRESET' })],
  ])('keeps it after %s', async (_name, err) => {
    const store = storeWith('127.0.0.1:1', 'http');
    await expect(chooser(store).send(req('http://127.0.0.1:1/v2/'), failing(err))).rejects.toBe(err);
    expect(store.get('127.0.0.1:1')).toBe('http');
  });

  it('the causeCode of a link wins over its code', async () => {
    const store = storeWith('127.0.0.1:1', 'http');
    const err = coded({ code: 'ECONNRESET', causeCode: 'ECONNREFUSED' });
    await expect(chooser(store).send(req('http://127.0.0.1:1/v2/'), failing(err))).rejects.toBe(err);
    expect(store.get('127.0.0.1:1')).toBe('http');
  });

  it('a 400 that is not JSON (Go\'s answer to HTTP on a TLS port) forgets it; a JSON 400 or a 200 keeps it', async () => {
    for (const [status, type, kept] of [[400, 'text/plain; charset=utf-8', undefined], [400, undefined, undefined], [400, 'application/JSON', 'http'], [200, 'text/plain', 'http']] as const) {
      const store = storeWith('127.0.0.1:1', 'http');
      const { next, urls } = answering(status, type);
      const res = await chooser(store).send(req('http://127.0.0.1:1/v2/'), next);
      expect(res.status).toBe(status);
      expect(urls).toEqual(['http://127.0.0.1:1/v2/']);
      expect(store.get('127.0.0.1:1')).toBe(kept);
    }
  });

  it('an HTTPS request to it that gets an answer replaces the answer with https', async () => {
    const store = storeWith('127.0.0.1:1', 'http');
    await chooser(store).send(req('https://127.0.0.1:1/v2/'), answering(400, 'text/plain').next);
    expect(store.get('127.0.0.1:1')).toBe('https');
  });
});

describe('learning from a request upgraded to HTTPS', () => {
  it('a plain-text answer to the TLS handshake forgets https, but only for a request it upgraded', async () => {
    const plainPort = new NetworkError('x', { causeCode: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    const upgraded = storeWith('127.0.0.1:1', 'https');
    const { urls, next } = answering(200);
    await expect(
      chooser(upgraded).send(req('http://127.0.0.1:1/v2/'), (r) => {
        void next(r);
        return Promise.reject(plainPort);
      }),
    ).rejects.toBe(plainPort);
    expect(urls).toEqual(['https://127.0.0.1:1/v2/']);
    expect(upgraded.get('127.0.0.1:1')).toBeUndefined();
    const asked = storeWith('127.0.0.1:1', 'https');
    await expect(chooser(asked).send(req('https://127.0.0.1:1/v2/'), failing(plainPort))).rejects.toBe(plainPort);
    expect(asked.get('127.0.0.1:1')).toBe('https');
  });

  it('other failures of an upgraded request keep https', async () => {
    const store = storeWith('127.0.0.1:1', 'https');
    const err = new NetworkError('x', { causeCode: 'ECONNRESET' });
    await expect(chooser(store).send(req('http://127.0.0.1:1/v2/'), failing(err))).rejects.toBe(err);
    expect(store.get('127.0.0.1:1')).toBe('https');
  });
});

describe('choose', () => {
  it('leaves alone requests not marked httpsFirst, HTTPS requests and hosts that may not use plain HTTP', async () => {
    const store = storeWith('127.0.0.1:1', 'https');
    store.set('registry.example', 'https');
    const c = chooser(store);
    for (const r of [req('http://127.0.0.1:1/v2/', false), req('https://127.0.0.1:1/v2/'), req('http://registry.example/v2/')]) {
      expect(await c.choose(r)).toBe(r);
    }
    expect((await c.choose(req('http://127.0.0.1:1/v2/?n=1'))).url.href).toBe('https://127.0.0.1:1/v2/?n=1');
  });

  it('an insecure host with TLS settings goes over HTTPS without a probe or a store entry', async () => {
    const store = createSchemeStore();
    const c = chooser(store, new HostTls({ 'insecure.test:5000': { ca: [] } }));
    const chosen = await c.choose(req('http://insecure.test:5000/v2/'));
    expect(chosen.url.href).toBe('https://insecure.test:5000/v2/');
    expect(store.get('insecure.test:5000')).toBeUndefined();
  });
});

describe('a port whose answer to the ClientHello says nothing', () => {
  let server: Server;
  let host: string;
  let connections = 0;
  beforeAll(async () => {
    // Another protocol: greets first, and answers every line with an error line.
    server = createServer((socket: Socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.write('SSH-2.0-Fake\r\n');
      socket.on('data', () => {
        socket.end('Protocol mismatch.\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  it('is asked with an HTTPS request, and its plain-text reply to that handshake means plain HTTP', async () => {
    const sets: [string, HostScheme][] = [];
    const inner = createSchemeStore();
    const store: SchemeStore = { get: (h) => inner.get(h), set: (h, s) => { sets.push([h, s]); inner.set(h, s); }, delete: (h) => { inner.delete(h); } };
    const chosen = await chooser(store).choose(req(`http://${host}/v2/`));
    expect(chosen.url.protocol).toBe('http:');
    expect(sets).toEqual([[host, 'http']]);
    // Two connections: the sniff, then the HTTPS request.
    expect(connections).toBe(2);
  });

  it('a refused port leaves nothing in the store', async () => {
    const sets: string[] = [];
    const store: SchemeStore = { get: () => undefined, set: (h) => { sets.push(h); }, delete: () => undefined };
    const chosen = await chooser(store).choose(req('http://127.0.0.1:1/v2/'));
    expect(chosen.url.href).toBe('http://127.0.0.1:1/v2/');
    expect(sets).toEqual([]);
  });
});
