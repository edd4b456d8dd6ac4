import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Digest } from '../digest/digest.js';
import { isDockerHubError } from '../errors/docker-hub-error.js';
import { MediaType } from '../media-type/media-type.js';
import { parseManifest } from './parse-manifest.js';
import { type Descriptor, type OciIndex, type OciManifest } from './schemas.js';
import { serializeManifest } from './serialize-manifest.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const descriptor: fc.Arbitrary<Descriptor> = fc.record(
  {
    mediaType: fc.constantFrom(
      MediaType.OciLayerGzip,
      MediaType.OciConfig,
      'application/vnd.example+json',
    ),
    digest: hex64.map((h) => `sha256:${h}`),
    size: fc.nat(),
    annotations: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), {
      maxKeys: 3,
    }),
  },
  { requiredKeys: ['mediaType', 'digest', 'size'] },
);
const ociManifest: fc.Arbitrary<OciManifest> = fc.record({
  schemaVersion: fc.constant(2 as const),
  mediaType: fc.constant(MediaType.OciManifest),
  config: descriptor,
  layers: fc.array(descriptor, { maxLength: 5 }),
});
const ociIndex: fc.Arbitrary<OciIndex> = fc.record({
  schemaVersion: fc.constant(2 as const),
  mediaType: fc.constant(MediaType.OciIndex),
  manifests: fc.array(
    descriptor.map((d) => ({ ...d, platform: { os: 'linux', architecture: 'amd64' } })),
    { maxLength: 5 },
  ),
});

describe('manifest properties', () => {
  it('serialize -> parse keeps the content and the digest is over the exact bytes', () => {
    fc.assert(
      fc.property(fc.oneof(ociManifest, ociIndex), (manifest) => {
        const bytes = serializeManifest(manifest);
        const parsed = parseManifest(bytes, manifest.mediaType);
        expect(parsed.manifest).toEqual(manifest);
        expect(parsed.bytes).toBe(bytes);
        expect(parsed.digest.equals(Digest.fromBytes(bytes))).toBe(true);
        expect(serializeManifest(parsed.manifest)).toEqual(bytes);
      }),
    );
  });

  it('the digest follows the bytes, not the JSON value (whitespace changes it)', () => {
    fc.assert(
      fc.property(ociManifest, (manifest) => {
        const compact = serializeManifest(manifest);
        const pretty = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
        const a = parseManifest(compact);
        const b = parseManifest(pretty);
        expect(b.manifest).toEqual(a.manifest);
        expect(b.digest.equals(a.digest)).toBe(false);
      }),
    );
  });

  it('arbitrary input never crashes: it parses or fails with a toolkit error', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.json().map((j) => new TextEncoder().encode(j)),
      fc
        .record(
          {
            schemaVersion: fc.anything(),
            mediaType: fc.anything(),
            manifests: fc.anything(),
            config: fc.anything(),
          },
          { requiredKeys: [] },
        )
        .map((o) => new TextEncoder().encode(JSON.stringify(o))),
    );
    const contentType = fc.option(
      fc.constantFrom(...Object.values(MediaType), 'application/json', 'text/html'),
      {
        nil: undefined,
      },
    );
    fc.assert(
      fc.property(input, contentType, (bytes, type) => {
        try {
          const parsed = parseManifest(bytes, type);
          expect(['image', 'index']).toContain(parsed.kind);
        } catch (err) {
          expect(isDockerHubError(err)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
