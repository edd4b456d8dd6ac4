// Runs docs/examples/hub-session.ts (embedded verbatim in docs/authentication.md) against the
// in-process simulator. Loaded by path so this package's typecheck does not pull the example in
// (it typechecks with docs/examples/tsconfig.json).
import { fileURLToPath } from 'node:url';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerHubConfigInput } from '../src/index.js';

type PrivateRepositories = (
  config: DockerHubConfigInput,
  askCode: () => Promise<string>,
) => Promise<{ names: string[]; auth: string[] }>;

const EXAMPLE = new URL('../../../docs/examples/hub-session.ts', import.meta.url);
const ORIGIN = 'http://127.0.0.1:65535';

let sim: Simulator;
let privateRepositories: PrivateRepositories;

beforeAll(async () => {
  sim = createSimulator({
    profile: 'dockerhub',
    users: [{ name: 'bob', password: 'bob-pw', namespaces: ['bob'], twoFactorCode: '112233' }],
    hubUrl: ORIGIN,
    repositories: { 'bob/tool': { private: true }, 'bob/site': {} },
  });
  ({ privateRepositories } = (await import(fileURLToPath(EXAMPLE))) as {
    privateRepositories: PrivateRepositories;
  });
});
afterAll(async () => {
  await sim.close();
});

const config = (password: string): DockerHubConfigInput => ({
  registryUrl: ORIGIN,
  hubUrl: ORIGIN,
  authUrl: ORIGIN,
  dispatcher: sim.dispatcher,
  resilience: { maxRetries: 0 },
  auth: { username: 'bob', password },
});

describe('docs/examples/hub-session.ts', () => {
  it('logs a 2FA account in with the code from askCode and lists its private repositories', async () => {
    const asked: string[] = [];
    const out = await privateRepositories(config('bob-pw'), async () => {
      asked.push('code');
      return Promise.resolve('112233');
    });
    expect(out.names).toEqual(['tool']);
    expect(asked).toHaveLength(1);
    expect(out.auth).toContain('token 127.0.0.1:65535');
    expect(out.auth.join('\n')).not.toContain('bob-pw');
  });

  it('fails at login() when the code is refused', async () => {
    await expect(
      privateRepositories(config('bob-pw'), async () => Promise.resolve('000000')),
    ).rejects.toMatchObject({ code: 'TWO_FACTOR_REQUIRED' });
  });
});
