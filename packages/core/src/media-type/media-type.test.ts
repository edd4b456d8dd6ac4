import { describe, expect, it } from 'vitest';
import { Digest } from '../digest/digest.js';
import {
  ACCEPT_MANIFEST_HEADER,
  EMPTY_DESCRIPTOR,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isManifestMediaType,
  normalizeMediaType,
} from './media-type.js';

describe('media types', () => {
  it('lists every manifest type in the Accept header', () => {
    for (const type of [
      MediaType.OciManifest,
      MediaType.OciIndex,
      MediaType.DockerManifest,
      MediaType.DockerManifestList,
    ]) {
      expect(MANIFEST_MEDIA_TYPES).toContain(type);
      expect(ACCEPT_MANIFEST_HEADER.split(', ')).toContain(type);
    }
    expect(ACCEPT_MANIFEST_HEADER).toContain(MediaType.DockerSchema1SignedManifest);
  });

  it('classifies types, ignoring parameters and case', () => {
    expect(isIndexMediaType(MediaType.OciIndex)).toBe(true);
    expect(isIndexMediaType(`${MediaType.DockerManifestList}; charset=utf-8`)).toBe(true);
    expect(isIndexMediaType(MediaType.OciManifest)).toBe(false);
    expect(isIndexMediaType(undefined)).toBe(false);
    expect(isImageManifestMediaType(MediaType.DockerManifest.toUpperCase())).toBe(true);
    expect(isImageManifestMediaType(MediaType.OciIndex)).toBe(false);
    expect(isImageManifestMediaType(undefined)).toBe(false);
    expect(isManifestMediaType(MediaType.DockerSchema1Manifest)).toBe(true);
    expect(isManifestMediaType(MediaType.OciConfig)).toBe(false);
    expect(isManifestMediaType(undefined)).toBe(false);
    expect(normalizeMediaType(' Application/JSON ; q=1')).toBe('application/json');
  });

  it('has a correct empty descriptor', () => {
    const bytes = Buffer.from(EMPTY_DESCRIPTOR.data, 'base64');
    expect(bytes.toString()).toBe('{}');
    expect(EMPTY_DESCRIPTOR.size).toBe(bytes.length);
    expect(Digest.fromBytes(bytes).toString()).toBe(EMPTY_DESCRIPTOR.digest);
    expect(Object.isFrozen(EMPTY_DESCRIPTOR)).toBe(true);
  });
});
