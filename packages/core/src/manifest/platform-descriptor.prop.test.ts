// A Platform in a descriptor serialises as the OCI `platform` object, never as `os/arch` text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-errors.js';
import { MediaType } from '../media-type/media-type.js';
import { Platform } from '../platform/platform.js';
import { parseManifest } from './parse-manifest.js';
import { type OciIndex } from './schemas.js';
import { buildManifest, createDescriptor, serializeManifest } from './serialize-manifest.js';

const part = fc.stringMatching(/^[a-z0-9][a-z0-9_.+-]{0,11}$/);
const osVersion = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/);
const feature = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,11}$/);
const platform = fc
  .record({
    os: part,
    architecture: part,
    variant: fc.option(part, { nil: undefined }),
    osVersion: fc.option(osVersion, { nil: undefined }),
    osFeatures: fc.option(fc.array(feature, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  })
  .map((init) => Platform.from(init));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The OCI object a platform must become: only the fields that are set. */
function expected(p: Platform): Record<string, unknown> {
  return {
    architecture: p.architecture,
    os: p.os,
    ...(p.variant === undefined ? {} : { variant: p.variant }),
    ...(p.osVersion === undefined ? {} : { 'os.version': p.osVersion }),
    ...(p.osFeatures === undefined ? {} : { 'os.features': [...p.osFeatures] }),
  };
}

function index(entries: OciIndex['manifests']): OciIndex {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries };
}

describe('Platform in descriptors (property)', () => {
  it('createDescriptor → JSON → parseManifest gives back the OCI object of any Platform', () => {
    fc.assert(
      fc.property(platform, fc.string(), (p, content) => {
        const entry = createDescriptor(bytes(content), MediaType.OciManifest, { platform: p });
        // Plain JSON.stringify (what a user might do) and the toolkit's own serializer agree.
        for (const json of [
          bytes(JSON.stringify(index([entry]))),
          serializeManifest(index([entry])),
        ]) {
          const parsed = parseManifest(json, MediaType.OciIndex);
          if (parsed.kind !== 'index') throw new Error('expected an index');
          const read = parsed.manifest.manifests[0]?.platform;
          expect(read).toStrictEqual(expected(p));
          expect(typeof read).toBe('object');
          const back = Platform.fromObject(read ?? { os: '', architecture: '' });
          expect(back.equals(p)).toBe(true);
          expect(back.osFeatures).toStrictEqual(p.osFeatures);
        }
      }),
    );
  });

  it('text and object forms give the same OCI object as the Platform', () => {
    fc.assert(
      fc.property(platform, (p) => {
        const fromText = createDescriptor(bytes('x'), MediaType.OciManifest, {
          platform: p.toString(),
        });
        const fromObject = createDescriptor(bytes('x'), MediaType.OciManifest, {
          platform: p.toObject(),
        });
        // The text form has no place for OS features.
        const withoutFeatures = expected(p);
        delete withoutFeatures['os.features'];
        expect(fromText.platform).toStrictEqual(withoutFeatures);
        expect(fromObject.platform).toStrictEqual(expected(p));
      }),
    );
  });
});

describe('Platform in descriptors (examples)', () => {
  it('a Platform put by hand into an index is written as the object by buildManifest', () => {
    const entry = {
      ...createDescriptor(bytes('m'), MediaType.OciManifest),
      platform: Platform.parse('linux/arm64/v8'),
    };
    // The cast is what a JavaScript caller or a loose type lets through.
    const built = buildManifest(index([entry as unknown as OciIndex['manifests'][number]]));
    expect(new TextDecoder().decode(built.bytes)).toContain(
      '"platform":{"architecture":"arm64","os":"linux","variant":"v8"}',
    );
  });

  it('createDescriptor keeps the field order and other extras, and unknown platform fields', () => {
    const entry = createDescriptor(bytes('m'), MediaType.OciManifest, {
      annotations: { a: 'b' },
      platform: {
        architecture: 'amd64',
        os: 'windows',
        'os.version': '10.0.17763.1',
        features: ['sse4'],
      },
    });
    expect(Object.keys(entry)).toEqual(['annotations', 'platform', 'mediaType', 'digest', 'size']);
    expect(entry.platform).toStrictEqual({
      architecture: 'amd64',
      os: 'windows',
      'os.version': '10.0.17763.1',
      features: ['sse4'],
    });
    expect(createDescriptor(bytes('m'), 'a/b', { platform: undefined })).not.toHaveProperty(
      'platform.os',
    );
  });

  it('toObject writes os.version and os.features, and a Windows platform round-trips', () => {
    const p = Platform.from({
      os: 'windows',
      architecture: 'amd64',
      osVersion: '10.0.20348.1',
      osFeatures: ['win32k'],
    });
    expect(p.toObject()).toStrictEqual({
      architecture: 'amd64',
      os: 'windows',
      'os.version': '10.0.20348.1',
      'os.features': ['win32k'],
    });
    expect(Platform.fromObject(p.toObject()).osFeatures).toEqual(['win32k']);
    expect(
      Platform.from({ os: 'linux', architecture: 'amd64', osFeatures: [] }).osFeatures,
    ).toBeUndefined();
    expect(p.normalize().osFeatures).toEqual(['win32k']);
    // The string form stays for logs and JSON output.
    expect(JSON.stringify(p)).toBe('"windows(10.0.20348.1)/amd64"');
  });

  it.each([
    [
      { os: 'linux', architecture: 'amd64', 'os.features': 'win32k' },
      'OS features that are not a list',
    ],
    [
      { os: 'linux', architecture: 'amd64', 'os.features': [3] },
      'invalid OS feature of type number',
    ],
    [{ os: 'linux', architecture: 'amd64', 'os.features': ['a b'] }, 'invalid OS feature "a b"'],
    [{ os: 'Linux!', architecture: 'amd64' }, 'invalid os'],
    [{ os: 'linux' }, 'must be a Platform, os/arch[/variant] text'],
    [42, 'must be a Platform, os/arch[/variant] text'],
    [['linux', 'amd64'], 'must be a Platform, os/arch[/variant] text'],
    ['linux', 'is not os/architecture'],
  ])('a bad platform %j is an INVALID_PLATFORM error (%s)', (value, message) => {
    const call = (): unknown =>
      createDescriptor(bytes('m'), MediaType.OciManifest, { platform: value as never });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (err) {
      expect((err as ValidationError).code).toBe('INVALID_PLATFORM');
    }
  });
});
