import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { startFaultProxy, type FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
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

/** The real registry (token auth) behind a fault proxy, with a client for each way in. */
export interface ProxiedRegistry {
  readonly reg: RealRegistry;
  readonly proxy: FaultProxy;
  /** Talks to the registry directly. */
  readonly direct: DockerHubClient;
  /** Talks through the proxy, with 3 retries. */
  readonly viaProxy: DockerHubClient;
  /** The `DOCKER_CONFIG` directory holding the credentials for both hosts. */
  readonly dockerConfig: string;
  /** Stops both clients, the proxy and the registry, and removes the credentials. */
  close(): Promise<void>;
}

/**
 * Starts the real registry with token auth and a fault proxy in front of it; the full-rights
 * user's credentials reach both clients through one `DOCKER_CONFIG` naming both hosts.
 * @returns the registry, the proxy and the two clients
 */
export async function startProxiedRegistry(): Promise<ProxiedRegistry> {
  const reg = await startRealRegistry({ auth: 'token' });
  const proxy = await startFaultProxy(reg.url);
  const alice = reg.users.find((u) => u.name !== 'reader');
  const cfg = dockerConfigDir(reg.host, alice?.name ?? '', alice?.password ?? '');
  const auth = Buffer.from(`${alice?.name ?? ''}:${alice?.password ?? ''}`).toString('base64');
  writeFileSync(join(cfg.dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth }, [proxy.host]: { auth } } }));
  const direct = new DockerHubClient({}, { env: { DOCKER_CONFIG: cfg.dir } });
  const viaProxy = new DockerHubClient({ resilience: { maxRetries: 3 } }, { env: { DOCKER_CONFIG: cfg.dir } });
  return {
    reg,
    proxy,
    direct,
    viaProxy,
    dockerConfig: cfg.dir,
    close: async () => {
      await direct.close();
      await viaProxy.close();
      await proxy.close();
      await reg.stop();
      cfg.remove();
    },
  };
}
