import { NetworkError, ValidationError } from '@llmdevops/docker-hub-core';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport } from './transport.js';
import type { Middleware } from './types.js';

const pass = (name: string): Middleware => ({ name, handle: async (r, n) => n(r) });

let agent: MockAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

describe('createTransport API', () => {
  it('inserts a middleware before the outermost one, and names duplicates and unknown anchors as invalid arguments', () => {
    const t = createTransport({ dispatcher: new MockAgent() });
    t.use(pass('first'), { before: 'telemetry' });
    expect(t.describe()[0]).toBe('first');
    const dup = (): unknown => t.use(pass('first'));
    expect(dup).toThrow(ValidationError);
    expect(dup).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const unknown = (): unknown => t.use(pass('x'), { after: 'nope' });
    expect(unknown).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'no middleware named "nope" to insert relative to' }));
  });

  it('sends plain HTTP to a loopback host as asked when the dispatcher is injected, without trying HTTPS first', async () => {
    const mock = new MockAgent();
    agent = mock;
    mock.disableNetConnect();
    mock.get('http://127.0.0.1:5999').intercept({ path: '/v2/' }).reply(200, 'ok');
    const t = createTransport({ dispatcher: mock, maxRetries: 0 });
    const res = await t.request({ method: 'GET', url: new URL('http://127.0.0.1:5999/v2/'), headers: {} });
    expect(await res.text()).toBe('ok');
  });

  it('names the request when the transport is closed, and closes its own agent once', async () => {
    const t = createTransport();
    await t.close();
    await expect(t.close()).resolves.toBeUndefined();
    const err: unknown = await t.request({ method: 'GET', url: new URL('https://registry.test/v2/?token=secret'), headers: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toBe('GET https://registry.test/v2/: the transport is closed');
  });

});
