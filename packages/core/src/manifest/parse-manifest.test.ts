import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManifestInvalidError, PayloadTooLargeError } from '../errors/validation-errors.js';
import { Digest } from '../digest/digest.js';
import { MediaType } from '../media-type/media-type.js';
import { type OciManifest } from './schemas.js';
import { serializeManifest } from './serialize-manifest.js';
import { MANIFEST_MAX_BYTES, isParsableManifestType, parseManifest } from './parse-manifest.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../../fixtures/manifests/${name}`, import.meta.url)));
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ociManifest = {
  schemaVersion: 2,
  config: { mediaType: MediaType.OciConfig, digest: D1, size: 10 },
  layers: [{ mediaType: MediaType.OciLayerGzip, digest: D2, size: 20 }],
};

function invalid(bytes: Uint8Array, contentType?: string): ManifestInvalidError {
  try {
    parseManifest(bytes, contentType);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestInvalidError);
    expect((err as ManifestInvalidError).code).toBe('MANIFEST_INVALID');
    return err as ManifestInvalidError;
  }
  throw new Error('expected ManifestInvalidError');
}

describe('parseManifest on real fixtures', () => {
  it.each([
    [
      'oci-image-manifest.json',
      MediaType.OciManifest,
      'image',
      'a60696ef1e78a86508a05e00bf5b0fd51e8829c7785860ac0247f03b07756528',
    ],
    [
      'docker-schema2-manifest.json',
      MediaType.DockerManifest,
      'image',
      '4a011b5afd53260830ae2194f7462fd44d6b587aac67af330a01590215b88800',
    ],
    [
      'attestation-manifest.json',
      MediaType.OciManifest,
      'image',
      '8243113b2f5fdca46f00d4fcd13a568f18d65e55d528fe75a35ff19560b584ca',
    ],
    [
      'oci-index-attestations.json',
      MediaType.OciIndex,
      'index',
      '98f51edb4c7974c195d9795977dee608daac3ad916db0beff9594515a11aaf93',
    ],
    [
      'docker-manifest-list-attestations.json',
      MediaType.DockerManifestList,
      'index',
      '73d55c0e960eed077ba9dc059e4961e23563415768c00a4a3574d26be358d2e2',
    ],
    [
      'oci-artifact-manifest.json',
      MediaType.OciManifest,
      'image',
      '0c89f5ff3fb51cbb1a96e638fb295dfbaa510971b9626bf90b5fea5ffafdefc9',
    ],
  ])('%s', (name, mediaType, kind, hex) => {
    const bytes = fixture(name);
    for (const contentType of [
      undefined,
      mediaType,
      `${mediaType}; charset=utf-8`,
      'application/json',
    ]) {
      const parsed = parseManifest(bytes, contentType);
      expect(parsed.mediaType).toBe(mediaType);
      expect(parsed.kind).toBe(kind);
      expect(parsed.bytes).toBe(bytes);
      expect(parsed.digest.toString()).toBe(`sha256:${hex}`);
    }
  });

  it('returns the document with its key order, so compact manifests re-serialize byte for byte', () => {
    for (const name of [
      'oci-image-manifest.json',
      'docker-schema2-manifest.json',
      'oci-artifact-manifest.json',
    ]) {
      const bytes = fixture(name);
      expect(serializeManifest(parseManifest(bytes).manifest)).toEqual(bytes);
    }
    const pretty = fixture('oci-index-attestations.json');
    expect(serializeManifest(parseManifest(pretty).manifest)).not.toEqual(pretty);
  });

  it('keeps artifact fields and unknown fields', () => {
    const parsed = parseManifest(fixture('oci-artifact-manifest.json'));
    expect(parsed.kind).toBe('image');
    const manifest = parsed.manifest as OciManifest;
    expect(manifest.artifactType).toBe('application/vnd.example.sbom.v1+json');
    expect(manifest.subject?.digest).toBe(
      Digest.fromBytes(fixture('oci-image-manifest.json')).toString(),
    );
    expect(manifest.config.data).toBe('e30=');
    const extra = parseManifest(json({ ...ociManifest, 'x-extra': { kept: true } }));
    expect((extra.manifest as Record<string, unknown>)['x-extra']).toEqual({ kept: true });
  });

  it('reads index entries with platforms and annotations', () => {
    const parsed = parseManifest(fixture('docker-manifest-list-attestations.json'));
    if (parsed.kind !== 'index') throw new Error('expected an index');
    const platforms = parsed.manifest.manifests.map((m) => m.platform);
    expect(platforms[2]?.['os.version']).toBe('10.0.17763.5329');
    expect(platforms[3]?.features).toEqual(['sse4']);
    expect(parsed.manifest.manifests[4]?.annotations?.['vnd.docker.reference.type']).toBe(
      'attestation-manifest',
    );
  });
});

describe('parseManifest: media type resolution', () => {
  it('falls back to the shape when there is no mediaType', () => {
    expect(parseManifest(json(ociManifest)).mediaType).toBe(MediaType.OciManifest);
    expect(
      parseManifest(json({ schemaVersion: 2, manifests: [] }), 'application/octet-stream')
        .mediaType,
    ).toBe(MediaType.OciIndex);
  });

  it('accepts a declared type that agrees with a mediaType-less document', () => {
    const parsed = parseManifest(json({ schemaVersion: 2, manifests: [] }), MediaType.OciIndex);
    expect(parsed.kind).toBe('index');
  });

  it('refuses a declared type contradicting the document', () => {
    const err = invalid(fixture('docker-schema2-manifest.json'), MediaType.OciManifest);
    expect(err.message).toContain("contradicts the document's mediaType");
    expect(err.path).toBe('mediaType');
    expect(invalid(json(ociManifest), MediaType.OciIndex).message).toContain(
      'shaped like an image',
    );
    expect(
      invalid(json({ schemaVersion: 2, manifests: [] }), MediaType.OciManifest).message,
    ).toContain('shaped like an index');
  });

  it('refuses unknown, schema1 and ambiguous documents', () => {
    expect(invalid(json(ociManifest), 'text/html').message).toContain('not a manifest media type');
    expect(invalid(json({ ...ociManifest, mediaType: 'application/x-foo' })).message).toContain(
      'unsupported manifest mediaType',
    );
    expect(
      invalid(json({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] })).message,
    ).toContain('schema 1');
    expect(invalid(json(ociManifest), MediaType.DockerSchema1SignedManifest).message).toContain(
      'schema 1',
    );
    expect(invalid(json({ ...ociManifest, manifests: [] })).message).toContain('ambiguous');
    expect(invalid(json({ schemaVersion: 2 })).message).toContain('cannot tell the manifest type');
    expect(invalid(json({ ...ociManifest, mediaType: 7 })).path).toBe('mediaType');
  });

  it('requires the mediaType field in Docker manifests', () => {
    const err = invalid(json(ociManifest), MediaType.DockerManifest);
    expect(err.path).toBe('mediaType');
  });
});

describe('parseManifest: invalid content', () => {
  it('refuses content over 4 MiB before parsing', () => {
    const big = new Uint8Array(MANIFEST_MAX_BYTES + 1).fill(0x20);
    expect(() => parseManifest(big)).toThrow(PayloadTooLargeError);
    const exact = new Uint8Array(MANIFEST_MAX_BYTES).fill(0x20);
    expect(() => parseManifest(exact)).toThrow(ManifestInvalidError);
  });

  it('refuses bad UTF-8, bad JSON and non-objects', () => {
    expect(invalid(new Uint8Array([0x7b, 0xff, 0x7d])).message).toContain('UTF-8');
    expect(invalid(new TextEncoder().encode('{"schemaVersion": 2,')).message).toContain(
      'not valid JSON',
    );
    expect(invalid(json([1, 2])).message).toContain('JSON object');
    expect(invalid(json(null)).message).toContain('JSON object');
  });

  it.each([
    [{ ...ociManifest, schemaVersion: 3 }, 'schemaVersion'],
    [{ ...ociManifest, config: { ...ociManifest.config, digest: 'sha256:abc' } }, 'config.digest'],
    [{ ...ociManifest, config: { ...ociManifest.config, digest: 'nocolon' } }, 'config.digest'],
    [{ ...ociManifest, layers: [{ ...ociManifest.config, size: -1 }] }, 'layers.0.size'],
    [{ ...ociManifest, layers: [{ ...ociManifest.config, size: 1.5 }] }, 'layers.0.size'],
    [
      { ...ociManifest, layers: [{ ...ociManifest.config, mediaType: 'nope' }] },
      'layers.0.mediaType',
    ],
    [{ ...ociManifest, layers: [{ ...ociManifest.config, data: '###' }] }, 'layers.0.data'],
    [{ ...ociManifest, annotations: { a: 1 } }, 'annotations.a'],
    [
      { schemaVersion: 2, manifests: [{ ...ociManifest.config, platform: { os: 'linux' } }] },
      'manifests.0.platform.architecture',
    ],
  ])('names the JSON path of schema failures (%#)', (doc, path) => {
    const err = invalid(json(doc));
    expect(err.path).toBe(path);
    expect(err.message).toContain(`manifest field ${path}`);
  });

  it('accepts other digest algorithms that follow the grammar', () => {
    const doc = { ...ociManifest, layers: [{ ...ociManifest.config, digest: 'blake3:abcd' }] };
    expect(parseManifest(json(doc)).kind).toBe('image');
  });
});

describe('isParsableManifestType', () => {
  it('tells which content types parseManifest can take', () => {
    expect(isParsableManifestType(undefined)).toBe(true);
    expect(isParsableManifestType('application/json')).toBe(true);
    expect(isParsableManifestType(`${MediaType.OciIndex}; charset=utf-8`)).toBe(true);
    expect(isParsableManifestType(MediaType.DockerSchema1Manifest)).toBe(false);
    expect(isParsableManifestType('text/html')).toBe(false);
  });
});
