// Minimal registry operations for integration tests, sent through a pipeline `Next` (the auth
// middleware in front of node:http), so every request goes through the middleware under test.
import { createHash } from 'node:crypto';
import type { Next, RequestBody, TransportRequest } from '@llmdevops/docker-hub-transport';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export function digestOf(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function req(
  method: TransportRequest['method'],
  url: string | URL,
  extra: Partial<TransportRequest> = {},
): TransportRequest {
  return { method, url: new URL(url), headers: {}, ...extra };
}

/** Opens an upload session; returns the absolute Location. */
export async function startUpload(send: Next, base: string, repo: string): Promise<string> {
  const res = await send(req('POST', `${base}/v2/${repo}/blobs/uploads/`, { body: '' }));
  await res.dump();
  if (res.status !== 202) throw new Error(`POST upload: ${res.status}`);
  return new URL(res.header('location') ?? '', base).href;
}

/** Sends one chunk with PATCH; returns the new Location. */
export async function patchChunk(send: Next, location: string, body: RequestBody): Promise<string> {
  const res = await send(
    req('PATCH', location, { body, headers: { 'content-type': 'application/octet-stream' } }),
  );
  await res.dump();
  if (res.status !== 202) throw new Error(`PATCH: ${res.status}`);
  return new URL(res.header('location') ?? '', location).href;
}

/** Completes an upload with PUT ?digest=. */
export async function finishUpload(
  send: Next,
  location: string,
  digest: string,
  body: RequestBody = '',
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const res = await send(req('PUT', url, { body }));
  await res.dump();
  if (res.status !== 201) throw new Error(`PUT blob: ${res.status}`);
}

/** Uploads a blob monolithically. */
export async function pushBlob(
  send: Next,
  base: string,
  repo: string,
  data: string,
): Promise<string> {
  const digest = digestOf(data);
  await finishUpload(send, await startUpload(send, base, repo), digest, data);
  return digest;
}

/** Pushes a one-layer OCI image; returns the manifest digest. */
export async function pushImage(
  send: Next,
  base: string,
  repo: string,
  tag: string,
  layer = 'layer-bytes',
): Promise<string> {
  const config = '{}';
  const configDigest = await pushBlob(send, base, repo, config);
  const layerDigest = await pushBlob(send, base, repo, layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: layerDigest,
        size: layer.length,
      },
    ],
  });
  const res = await send(
    req('PUT', `${base}/v2/${repo}/manifests/${tag}`, {
      body: manifest,
      headers: { 'content-type': OCI_MANIFEST },
    }),
  );
  await res.dump();
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status}`);
  return digestOf(manifest);
}

/** Pulls a manifest and every blob it names; returns the layer text. */
export async function pullImage(
  send: Next,
  base: string,
  repo: string,
  tag: string,
): Promise<string> {
  const res = await send(
    req('GET', `${base}/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } }),
  );
  if (res.status !== 200) {
    await res.dump();
    throw new Error(`GET manifest: ${res.status}`);
  }
  const manifest = await res.json<{ layers: { digest: string }[] }>();
  const layer = manifest.layers[0]?.digest ?? '';
  const blob = await send(req('GET', `${base}/v2/${repo}/blobs/${layer}`));
  const text = await blob.text();
  if (blob.status !== 200 || digestOf(text) !== layer) throw new Error(`GET blob: ${blob.status}`);
  return text;
}
