import { describe, expect, it } from 'vitest';
import { Digest } from '../digest/digest.js';
import { ManifestInvalidError } from '../errors/validation-errors.js';
import { EMPTY_DESCRIPTOR, MediaType } from '../media-type/media-type.js';
import { parseManifest } from './parse-manifest.js';
import { type OciManifest } from './schemas.js';
import { buildManifest, createDescriptor, serializeManifest } from './serialize-manifest.js';

describe('serializeManifest', () => {
  it('produces bytes that parse back with the same digest', () => {
    const layer = createDescriptor(new TextEncoder().encode('layer'), MediaType.OciLayerGzip, {
      annotations: { 'org.opencontainers.image.title': 'l.tgz' },
    });
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: 'application/vnd.example+type',
      config: { ...EMPTY_DESCRIPTOR },
      layers: [layer],
    };
    const bytes = serializeManifest(manifest);
    const parsed = parseManifest(bytes, MediaType.OciManifest);
    expect(parsed.digest.equals(Digest.fromBytes(bytes))).toBe(true);
    expect(parsed.manifest).toEqual(manifest);
    expect(buildManifest(manifest).digest.toString()).toBe(parsed.digest.toString());
    expect(layer.size).toBe(5);
    expect(layer.digest).toBe(Digest.fromBytes(new TextEncoder().encode('layer')).toString());
  });

  it('refuses invalid manifests', () => {
    const bad = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { ...EMPTY_DESCRIPTOR, size: -2 },
      layers: [],
    };
    expect(() => serializeManifest(bad as unknown as OciManifest)).toThrow(ManifestInvalidError);
  });
});
