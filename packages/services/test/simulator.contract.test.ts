// The registry contract against the simulator: in-process (its undici dispatcher, no sockets)
// and over loopback (`listen()`), with token auth, under the `oci` profile (tag pagination) and
// the `distribution` profile (distribution 2.8's quirks).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@llmdevops/docker-hub-core';
import { createSimulator, type ProfileName } from '@llmdevops/docker-hub-simulation';
import type { ContractRole, RegistryBackend } from '../../../tooling/contract/registry-contract.js';
import { defineRegistryContract } from '../../../tooling/contract/registry-contract.js';
import { DockerHubClient } from '../src/index.js';

const USERS = [
  { name: 'writer', password: 'writer-pw', namespaces: ['contract'] },
  { name: 'reader', password: 'reader-pw', namespaces: [] },
];

async function simulatorBackend(kind: 'in-process' | 'loopback', profile: ProfileName): Promise<RegistryBackend> {
  const sim = createSimulator({ profile, auth: 'token', users: USERS });
  const server = kind === 'loopback' ? await sim.listen() : undefined;
  // In-process, requests to any origin reach the simulator's dispatcher; a loopback host keeps them plain HTTP.
  const registry = server === undefined ? '127.0.0.1:65535' : new URL(server.url).host;
  const empty = mkdtempSync(join(tmpdir(), 'svc-sim-config-'));
  const client = (role: ContractRole): DockerHubClient => {
    const user = role === 'reader' ? USERS[1] : USERS[0];
    const password = role === 'wrong-password' ? 'not-the-password' : user?.password ?? '';
    return new DockerHubClient(
      { resilience: { maxRetries: 1 }, ...(server === undefined ? { dispatcher: sim.dispatcher } : {}) },
      {
        env: { DOCKER_CONFIG: empty },
        credentials: async () =>
          Promise.resolve(role === 'anonymous' ? { kind: 'anonymous' as const, source: 'anonymous' as const } : { kind: 'basic' as const, username: user?.name ?? '', password: new Secret(password), source: 'explicit' as const }),
      },
    );
  };
  return {
    registry,
    repositoryPrefix: 'contract',
    client,
    quirks: { tagPagination: profile !== 'distribution', readerPushCode: 'DENIED', anonymousPull: true },
    close: async () => {
      await sim.close();
      rmSync(empty, { recursive: true, force: true });
    },
  };
}

defineRegistryContract('simulator in-process, oci profile', () => simulatorBackend('in-process', 'oci'));
defineRegistryContract('simulator over loopback, distribution profile', () => simulatorBackend('loopback', 'distribution'));
