// The "no credentials" hint a client gives names what works for that host: the DOCKER_HUB_*
// variables only for Docker Hub, `dhub login HOST` for any other registry.
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from './helpers.js';

async function loginError(registry: string | undefined): Promise<Error> {
  const client = new DockerHubClient({}, { env: await cleanEnv() });
  try {
    await client.login(registry === undefined ? {} : { registry });
  } catch (err) {
    return err as Error;
  } finally {
    await client.close();
  }
  throw new Error('login without credentials succeeded');
}

describe('credential hints fit the host', () => {
  it('for a registry other than Docker Hub, suggests dhub login HOST and no DOCKER_HUB_* variable', async () => {
    const err = await loginError('127.0.0.1:5999');
    expect(err).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(err.message).toBe(
      'no credentials for 127.0.0.1:5999: run dhub login 127.0.0.1:5999 (or docker login 127.0.0.1:5999)',
    );
    expect(err.message).not.toContain('DOCKER_HUB_');
  });

  it('for Docker Hub, names the DOCKER_HUB_* variables', async () => {
    const err = await loginError(undefined);
    expect(err.message).toContain('set DOCKER_HUB_USERNAME and DOCKER_HUB_PASSWORD/DOCKER_HUB_ACCESS_TOKEN');
    expect((await loginError('docker.io')).message).toContain('DOCKER_HUB_USERNAME');
  });
});
