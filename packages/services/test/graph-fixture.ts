// Manifest graphs for walk tests: a "diamond" (each index lists the level below many times), a
// plain chain of indexes (nesting depth), and a wide index of distinct images; written as an OCI
// layout, or put straight into a registry through a client (children first, no walk involved).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerHubClient } from '../src/index.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** One blob or manifest of a graph. */
export interface GraphBlob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

/** A manifest graph: blobs, manifests children first, and the top manifest. */
export interface Graph {
  readonly blobs: GraphBlob[];
  readonly manifests: GraphBlob[];
  readonly top: GraphBlob;
}

function blob(mediaType: string, bytes: Buffer): GraphBlob {
  return { mediaType, bytes, size: bytes.length, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

const descriptor = (b: GraphBlob): { mediaType: string; digest: string; size: number } => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

/** An image manifest with `layers` layers of `layerBytes` random bytes and a config naming `arch`. */
function image(arch: string, layers: number, layerBytes: number): { manifest: GraphBlob; blobs: GraphBlob[] } {
  const config = blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const layerBlobs = Array.from({ length: layers }, () => blob('application/vnd.oci.image.layer.v1.tar', randomBytes(layerBytes)));
  const manifest = blob(OCI_MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(config), layers: layerBlobs.map(descriptor) })));
  return { manifest, blobs: [config, ...layerBlobs] };
}

function index(children: readonly GraphBlob[], note: string): GraphBlob {
  const manifests = children.map((c) => ({ ...descriptor(c), platform: { os: 'linux', architecture: 'amd64' } }));
  return blob(OCI_INDEX, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests, annotations: { note } })));
}

/**
 * A diamond: one image; above it `levels` indexes, each listing the one below `width` times.
 * Walked naively that is 1 + width + width² + ... visits; walked once per digest, levels + 1.
 * @param levels - indexes above the image
 * @param width - how often each index lists the one below
 * @returns the graph
 */
export function diamond(levels: number, width: number): Graph {
  const leaf = image('amd64', 1, 512);
  const manifests = [leaf.manifest];
  let below = leaf.manifest;
  for (let l = 1; l <= levels; l++) {
    below = index(Array<GraphBlob>(width).fill(below), `level ${String(l)}`);
    manifests.push(below);
  }
  return { blobs: leaf.blobs, manifests, top: below };
}

/**
 * A chain: an image under `depth - 1` indexes each listing the one below once (`depth` levels).
 * @param depth - manifests in the chain, the image included
 * @returns the graph
 */
export function chain(depth: number): Graph {
  return diamond(depth - 1, 1);
}

/**
 * An index of `count` distinct images, each with its own config and `layers` layers.
 * @param count - images
 * @param layers - layers per image
 * @param layerBytes - bytes per layer
 * @returns the graph
 */
export function wide(count: number, layers = 1, layerBytes = 512): Graph {
  const images = Array.from({ length: count }, (_, i) => image(`arch${String(i)}`, layers, layerBytes));
  const top = index(images.map((i) => i.manifest), 'wide');
  return { blobs: images.flatMap((i) => i.blobs), manifests: [...images.map((i) => i.manifest), top], top };
}

/**
 * Writes a graph as an OCI image layout naming its top manifest `tag`.
 * @param dir - the layout directory (created)
 * @param graph - the graph
 * @param tag - `org.opencontainers.image.ref.name`
 */
export function writeGraphLayout(dir: string, graph: Graph, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const b of [...graph.blobs, ...graph.manifests]) writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)), b.bytes);
  const entry = { ...descriptor(graph.top), annotations: { 'org.opencontainers.image.ref.name': tag } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] }));
}

/**
 * Puts a graph into a repository with plain blob uploads and manifest PUTs (children first, the
 * top one by tag), without any image operation.
 * @param client - a client for the registry
 * @param repo - e.g. `127.0.0.1:1/graph/x`
 * @param graph - the graph
 * @param tag - the top manifest's tag
 */
export async function seedGraph(client: DockerHubClient, repo: string, graph: Graph, tag: string): Promise<void> {
  for (const b of graph.blobs) await client.blobs.upload(repo, b.bytes, { digest: b.digest });
  for (const m of graph.manifests) {
    const where = m === graph.top ? `${repo}:${tag}` : `${repo}@${m.digest}`;
    await client.manifests.put(where, m.bytes, { mediaType: m.mediaType });
  }
}
