// Which undici dispatcher the default agent picks for an origin (`createAgentWith`,
// `OriginRouter.dispatcherFor`): one shared agent unless a host has CAs or a client certificate
// of its own (HTTPS only, one agent per such host, made once), a ProxyAgent when a proxy is set
// (explicitly, from the environment, or not at all), and closing reaches every agent made.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentWith } from '../src/dispatch/agent.js';
import { HostTls } from '../src/dispatch/certs-dir.js';
import { OriginRouter } from '../src/dispatch/router.js';

const CA = '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n';
const base = { connectTimeoutMs: 1_000, connectionsPerOrigin: 2 };
const made: Dispatcher[] = [];

function agent(...args: Parameters<typeof createAgentWith>): Dispatcher {
  const d = createAgentWith(...args);
  made.push(d);
  return d;
}

function pick(d: Dispatcher, origin: string): Dispatcher {
  return d instanceof OriginRouter ? d.dispatcherFor(new URL(origin)) : d;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => d.destroy()));
});

describe('per-host TLS routing', () => {
  it('without host settings or roots: a plain undici Agent, no router', () => {
    const d = agent(base, new HostTls());
    expect(d).toBeInstanceOf(Agent);
    expect(d).not.toBeInstanceOf(OriginRouter);
  });

  it('a host with its own CA gets an agent of its own over HTTPS, made once; other hosts and plain HTTP share one', () => {
    const d = agent(base, new HostTls({ 'own.test': { ca: CA }, 'empty.test': { ca: [] } }));
    expect(d).toBeInstanceOf(OriginRouter);
    const shared = pick(d, 'https://other.test');
    const own = pick(d, 'https://OWN.test');
    expect(shared).toBeInstanceOf(Agent);
    expect(own).toBeInstanceOf(Agent);
    expect(own).not.toBe(shared);
    expect(pick(d, 'https://own.test')).toBe(own);
    expect(pick(d, 'http://own.test')).toBe(shared);
    expect(pick(d, 'https://empty.test')).toBe(shared);
    expect(pick(d, 'https://own.test:8443')).toBe(shared);
  });

  it('closing the router closes the shared agent and every host agent', async () => {
    const d = createAgentWith(base, new HostTls({ 'own.test': { ca: CA } }));
    const shared = pick(d, 'https://other.test');
    const own = pick(d, 'https://own.test');
    await d.close();
    expect(shared instanceof Agent && shared.closed).toBe(true);
    expect(own instanceof Agent && own.closed).toBe(true);
  });

  it('destroying the router destroys them all', async () => {
    const d = createAgentWith(base, new HostTls({ 'own.test': { ca: CA } }));
    const shared = pick(d, 'https://other.test');
    const own = pick(d, 'https://own.test');
    await d.destroy();
    expect(shared instanceof Agent && shared.destroyed).toBe(true);
    expect(own instanceof Agent && own.destroyed).toBe(true);
  });
});

describe('destroying a router with requests in flight (real HTTP server that never answers)', () => {
  let server: Server;
  let origin: string;
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  async function hanging(): Promise<void> {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  it('fails them with the error given, passed to every dispatcher', async () => {
    await hanging();
    const d = createAgentWith(base, new HostTls({ 'own.test': { ca: CA } }));
    const pending = d.request({ origin, path: '/', method: 'GET' }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const gone = new Error('gone');
    await new Promise<void>((resolve) => {
      d.destroy(gone, resolve);
    });
    expect(await pending).toBe(gone);
  });

  it('with only a callback, fails them as destroyed', async () => {
    await hanging();
    const d = createAgentWith(base, new HostTls({ 'own.test': { ca: CA } }));
    const pending = d.request({ origin, path: '/', method: 'GET' }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise<void>((resolve) => {
      d.destroy(resolve);
    });
    expect(await pending).toMatchObject({ code: 'UND_ERR_DESTROYED' });
  });
});

describe('proxy choice', () => {
  const env = { HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'direct.test' };

  it("'env' and proxyFromEnv read the environment given; noProxy hosts stay direct", () => {
    for (const options of [{ proxy: 'env' as const, env }, { proxyFromEnv: true, env }]) {
      const d = agent({ ...base, ...options }, new HostTls());
      expect(pick(d, 'https://r.test')).toBeInstanceOf(ProxyAgent);
      expect(pick(d, 'https://direct.test')).toBeInstanceOf(Agent);
      expect(pick(d, 'https://direct.test')).not.toBeInstanceOf(ProxyAgent);
    }
  });

  it('an explicit proxy wins over proxyFromEnv, and false or a proxy without URLs means none', () => {
    expect(pick(agent({ ...base, proxy: { url: 'http://127.0.0.1:9' }, env: {} }, new HostTls()), 'https://r.test')).toBeInstanceOf(ProxyAgent);
    expect(pick(agent({ ...base, proxy: { httpUrl: 'http://127.0.0.1:9' }, env: {} }, new HostTls()), 'http://r.test')).toBeInstanceOf(ProxyAgent);
    for (const proxy of [false as const, {}, undefined]) {
      const d = agent({ ...base, proxy, proxyFromEnv: proxy === undefined ? false : true, env }, new HostTls());
      expect(d).toBeInstanceOf(Agent);
      expect(d).not.toBeInstanceOf(OriginRouter);
    }
  });

  it('a host with its own CA behind a proxy gets its own proxy agent', () => {
    const d = agent({ ...base, proxy: { url: 'http://127.0.0.1:9' }, env: {} }, new HostTls({ 'own.test': { ca: CA } }));
    const own = pick(d, 'https://own.test');
    const shared = pick(d, 'https://other.test');
    expect(own).toBeInstanceOf(ProxyAgent);
    expect(shared).toBeInstanceOf(ProxyAgent);
    expect(own).not.toBe(shared);
  });
});
