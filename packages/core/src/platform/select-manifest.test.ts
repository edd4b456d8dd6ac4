import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PlatformNotFoundError, ValidationError } from '../errors/validation-errors.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { type ImageIndex } from '../manifest/schemas.js';
import { Platform } from './platform.js';
import { isAttestation, listPlatforms, selectManifest } from './select-manifest.js';

function loadIndex(name: string): ImageIndex {
  const parsed = parseManifest(
    new Uint8Array(
      readFileSync(new URL(`../../../../fixtures/manifests/${name}`, import.meta.url)),
    ),
  );
  if (parsed.kind !== 'index') throw new Error(`${name} is not an index`);
  return parsed.manifest;
}

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('listPlatforms', () => {
  it('lists runnable platforms without attestations (OCI index)', () => {
    expect(listPlatforms(loadIndex('oci-index-attestations.json')).map(String)).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
    ]);
  });

  it('lists runnable platforms without attestations (Docker list)', () => {
    expect(listPlatforms(loadIndex('docker-manifest-list-attestations.json')).map(String)).toEqual([
      'linux/amd64',
      'linux/arm/v7',
      'windows(10.0.17763.5329)/amd64',
      'linux/ppc64le',
    ]);
  });

  it('skips entries without a platform, annotated attestations and malformed platforms', () => {
    const index: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D(1), size: 1 },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: D(2),
          size: 1,
          platform: { os: 'linux', architecture: 'amd64' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: D(3),
          size: 1,
          platform: { os: 'linux', architecture: 'AM D64' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: D(4),
          size: 1,
          platform: { os: 'linux', architecture: 's390x' },
        },
      ],
    };
    expect(listPlatforms(index).map(String)).toEqual(['linux/s390x']);
    expect(index.manifests.map(isAttestation)).toEqual([false, true, false, false]);
  });
});

describe('selectManifest', () => {
  const oci = loadIndex('oci-index-attestations.json');
  const list = loadIndex('docker-manifest-list-attestations.json');

  it('returns the first matching entry', () => {
    expect(selectManifest(oci, Platform.linuxAmd64()).digest).toBe(oci.manifests[0]?.digest);
    expect(selectManifest(oci, 'linux/arm64').digest).toBe(oci.manifests[1]?.digest);
    expect(selectManifest(oci, 'linux/aarch64/v8').digest).toBe(oci.manifests[1]?.digest);
    expect(selectManifest(list, 'linux/arm').digest).toBe(list.manifests[1]?.digest);
    expect(selectManifest(list, 'windows(10.0.17763)/amd64').digest).toBe(
      list.manifests[2]?.digest,
    );
  });

  it('never selects attestations, even when asked for unknown/unknown', () => {
    expect(() => selectManifest(oci, 'unknown/unknown')).toThrow(PlatformNotFoundError);
  });

  it('throws PlatformNotFoundError listing what is available', () => {
    try {
      selectManifest(oci, 'linux/s390x');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PlatformNotFoundError);
      const e = err as PlatformNotFoundError;
      expect(e.code).toBe('PLATFORM_NOT_FOUND');
      expect(e.requested).toBe('linux/s390x');
      expect(e.available).toEqual(['linux/amd64', 'linux/arm64/v8']);
      expect(e.message).toContain('available: linux/amd64, linux/arm64/v8');
    }
    expect(() => selectManifest(oci, 'bad')).toThrow(ValidationError);
  });
});
