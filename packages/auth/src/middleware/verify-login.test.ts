import { RegistryError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpNext,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { verifyRegistryLogin } from './verify-login.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer(() => ({ status: 503 }));
});
afterAll(async () => {
  await server.close();
});

describe('verifyRegistryLogin', () => {
  it('reports a /v2/ that does not answer 200', async () => {
    const err = await verifyRegistryLogin(
      server.url,
      { username: 'a', password: 'b' },
      { send: httpNext(), insecureHosts: [], signal: new AbortController().signal },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).status).toBe(503);
    expect(server.received[0]?.path).toBe('/v2/');
  });

  it('passes with an open registry', async () => {
    server.handler = () => ({ status: 200, body: {} });
    await expect(
      verifyRegistryLogin(server.url, { username: 'a', password: 'b' }, { send: httpNext() }),
    ).resolves.toBeUndefined();
  });
});
