import { describe, expect, it } from 'vitest';
import { createDefaultAgent } from './agent.js';

const make = () => createDefaultAgent({ connectTimeoutMs: 1000, connectionsPerOrigin: 2, tls: { 'reg.test': { ca: [] } }, proxy: { url: 'http://127.0.0.1:9' } });

describe('routers close and destroy every dispatcher they made', () => {
  it('closes with a promise or a callback', async () => {
    const a = make();
    await expect(a.close()).resolves.toBeUndefined();
    const b = make();
    await new Promise<void>((resolve) => {
      b.close(resolve);
    });
  });

  it('destroys with a promise, an error and a callback, or only a callback', async () => {
    await expect(make().destroy()).resolves.toBeUndefined();
    await new Promise<void>((resolve) => {
      make().destroy(new Error('gone'), resolve);
    });
    await new Promise<void>((resolve) => {
      make().destroy(resolve);
    });
  });

  it('refuses requests once closed', async () => {
    const a = make();
    await a.close();
    await expect(a.request({ origin: 'https://reg.test', path: '/', method: 'GET' })).rejects.toMatchObject({ code: expect.stringMatching(/^UND_ERR_(CLOSED|DESTROYED)$/) as unknown });
    await expect(a.request({ origin: 'https://other.test', path: '/', method: 'GET' })).rejects.toMatchObject({ code: expect.stringMatching(/^UND_ERR_(CLOSED|DESTROYED)$/) as unknown });
  });
});
