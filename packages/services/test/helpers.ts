import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { ContractRole } from '../../../tooling/contract/registry-contract.js';
import { DockerHubClient, type DockerHubConfigInput } from '../src/index.js';

/**
 * A `DOCKER_CONFIG` directory whose `config.json` holds credentials for one registry host, the
 * way `docker login` writes them.
 * @param host - `host:port`
 * @param user - user name
 * @param password - password
 * @returns the directory and a clean-up function
 */
export function dockerConfigDir(host: string, user: string, password: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'svc-docker-config-'));
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
  return { dir, remove: () => { rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * A client for a real registry acting as a role; credentials reach it only through a
 * `DOCKER_CONFIG` directory (as `docker login` leaves them).
 * @param reg - the registry
 * @param role - who to act as
 * @param config - extra configuration
 * @returns the client (its close also removes the config directory)
 */
export function realRegistryClient(reg: RealRegistry, role: ContractRole, config: DockerHubConfigInput = {}): DockerHubClient {
  const writer = reg.users.find((u) => u.name !== 'reader');
  const reader = reg.users.find((u) => u.name === 'reader');
  const user = role === 'reader' ? reader : writer;
  const empty = mkdtempSync(join(tmpdir(), 'svc-docker-config-'));
  const cfg =
    role === 'anonymous' || user === undefined
      ? { dir: empty, remove: () => { rmSync(empty, { recursive: true, force: true }); } }
      : dockerConfigDir(reg.host, user.name, role === 'wrong-password' ? `${user.password}-wrong` : user.password);
  if (cfg.dir !== empty) rmSync(empty, { recursive: true, force: true });
  const client = new DockerHubClient({ resilience: { maxRetries: 2 }, ...config }, { env: { DOCKER_CONFIG: cfg.dir } });
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    cfg.remove();
  };
  return client;
}
