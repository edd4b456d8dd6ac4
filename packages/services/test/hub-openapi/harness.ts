// A dockerhub-profile simulator with a client in front of it, and a recorder of every request
// the client sends (method, path, query, JSON body), for the Hub API conformance tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageReference, MediaType, serializeManifest } from '@llmdevops/docker-hub-core';
import {
  createSimulator,
  SimulatorDispatcher,
  type FetchHandler,
  type Simulator,
  type SimulatorOptions,
} from '@llmdevops/docker-hub-simulation';
import { DockerHubClient } from '../../src/index.js';

export const ORIGIN = 'http://127.0.0.1:65534';

/** One request as the simulator received it. */
export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly status: number;
}

export interface HubHarness {
  readonly sim: Simulator;
  readonly recorded: Recorded[];
  client(user?: { name: string; password: string }): DockerHubClient;
  close(): Promise<void>;
}

/**
 * Starts a simulator and records what reaches it.
 * @param options - simulator options (profile dockerhub is the default)
 */
export function hubHarness(options: SimulatorOptions): HubHarness {
  const sim = createSimulator({ profile: 'dockerhub', hubUrl: ORIGIN, ...options });
  const recorded: Recorded[] = [];
  const handler: FetchHandler = async (req, info) => {
    const url = new URL(req.url);
    let body: unknown;
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.clone().text();
    if (text !== '' && (req.headers.get('content-type') ?? '').includes('json'))
      body = JSON.parse(text) as unknown;
    const res = await sim.fetch(req, info);
    recorded.push({
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      body,
      status: res.status,
    });
    return res;
  };
  const dispatcher = new SimulatorDispatcher(handler);
  const empty = mkdtempSync(join(tmpdir(), 'hub-openapi-'));
  const clients: DockerHubClient[] = [];
  return {
    sim,
    recorded,
    client: (user) => {
      const c = new DockerHubClient(
        {
          registryUrl: ORIGIN,
          hubUrl: ORIGIN,
          authUrl: ORIGIN,
          dispatcher,
          resilience: { maxRetries: 2 },
          ...(user === undefined ? {} : { auth: { username: user.name, password: user.password } }),
        },
        { env: { DOCKER_CONFIG: empty } },
      );
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) await c.close();
      await sim.close();
      rmSync(empty, { recursive: true, force: true });
    },
  };
}

/**
 * Pushes a one-layer-less image under a tag (distinct content per `seed`).
 * @returns the manifest digest
 */
export async function pushImage(
  client: DockerHubClient,
  ref: string,
  seed: string,
): Promise<string> {
  const r = ImageReference.parse(ref);
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: { seed } },
    }),
  );
  const configDigest = await client.blobs.upload(r, config);
  const manifest = serializeManifest({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
    layers: [],
  });
  return client.manifests.put(r, manifest, { mediaType: MediaType.OciManifest });
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
