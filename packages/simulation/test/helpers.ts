import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/index.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  // Test bodies are inspected loosely; the assertions check their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

export interface Client {
  base: string;
  call(
    method: string,
    path: string,
    opts?: {
      headers?: Record<string, string>;
      body?: string | Uint8Array | AsyncIterable<Uint8Array>;
    },
  ): Promise<Reply>;
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function makeClient(base: string, dispatcher?: Dispatcher): Client {
  return {
    base,
    async call(method, path, opts = {}) {
      const url = path.startsWith('http') ? path : `${base}${path}`;
      const res = await request(url, {
        method,
        headers: opts.headers ?? {},
        body: (opts.body ?? null) as string | Uint8Array | null,
        ...(dispatcher ? { dispatcher } : {}),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      return {
        status: res.statusCode,
        headers,
        body,
        json: (): unknown => JSON.parse(body.toString('utf8')),
      };
    },
  };
}

export interface Backend {
  client: Client;
  sim?: Simulator;
  close(): Promise<void>;
}

export type BackendKind = 'in-process' | 'loopback';

export async function startBackend(
  kind: BackendKind,
  options: SimulatorOptions = {},
): Promise<Backend> {
  const sim = createSimulator(options);
  if (kind === 'in-process') {
    return {
      client: makeClient('http://registry.test', sim.dispatcher),
      sim,
      close: () => sim.close(),
    };
  }
  const server = await sim.listen();
  return { client: makeClient(server.url), sim, close: () => sim.close() };
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const ACCEPT_ALL = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export async function pushBlob(
  c: Client,
  repo: string,
  bytes: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<string> {
  const digest = sha256(bytes);
  const start = await c.call('POST', `/v2/${repo}/blobs/uploads/`, { headers });
  if (start.status !== 202)
    throw new Error(`POST upload: ${start.status} ${start.body.toString()}`);
  const loc = new URL(start.headers['location']!, c.base);
  loc.searchParams.set('digest', digest);
  const put = await c.call('PUT', loc.toString(), {
    body: bytes,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${put.body.toString()}`);
  return digest;
}

export interface PushedImage {
  manifest: string;
  digest: string;
  config: string;
  layer: string;
}

export async function pushImage(
  c: Client,
  repo: string,
  tag: string,
  seed = 'x',
  headers: Record<string, string> = {},
): Promise<PushedImage> {
  const configBytes = JSON.stringify({ architecture: 'amd64', os: 'linux', seed });
  const layerBytes = `layer-${seed}`;
  const config = await pushBlob(c, repo, configBytes, headers);
  const layer = await pushBlob(c, repo, layerBytes, headers);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: config,
      size: configBytes.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layer,
        size: layerBytes.length,
      },
    ],
  });
  const res = await c.call('PUT', `/v2/${repo}/manifests/${tag}`, {
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST, ...headers },
  });
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${res.body.toString()}`);
  return { manifest, digest: sha256(manifest), config, layer };
}
