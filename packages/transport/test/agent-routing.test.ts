// Which undici dispatcher the default agent picks for an origin (`createAgentWith`,
// `OriginRouter.dispatcherFor`): one shared agent unless a host has CAs or a client certificate
// of its own (HTTPS only, one agent per such host, made once), a ProxyAgent when a proxy is set
// (explicitly, from the environment, or not at all), and closing reaches every agent made.
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
