import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImageReference } from './image-reference.js';

// Generators for the grammar of distribution/reference.
const alnum = fc.string({
  unit: fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyz0123456789')),
  minLength: 1,
  maxLength: 6,
});
const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const path = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((c) => c.join('/'));
const label = fc
  .string({
    unit: fc.constantFrom(
      ...Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-'),
    ),
    minLength: 1,
    maxLength: 8,
  })
  .filter((s) => !s.startsWith('-') && !s.endsWith('-'));
const port = fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`);
const registry = fc.oneof(
  fc.constantFrom(
    'docker.io',
    'index.docker.io',
    'ghcr.io',
    'localhost',
    'localhost:5000',
    '[::1]:5000',
    '127.0.0.1:5000',
  ),
  fc
    .tuple(label, fc.array(label, { minLength: 1, maxLength: 2 }), fc.option(port, { nil: '' }))
    .map(([a, rest, p]) => [a, ...rest].join('.') + p),
);
const tagText = fc
  .tuple(
    fc.constantFrom(...Array.from('abcXYZ019_')),
    fc.string({ unit: fc.constantFrom(...Array.from('abcXYZ019_.-')), maxLength: 20 }),
  )
  .map(([a, b]) => a + b);
const hex = (n: number) =>
  fc.string({
    unit: fc.constantFrom(...Array.from('0123456789abcdef')),
    minLength: n,
    maxLength: n,
  });
const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
);

const referenceText = fc
  .tuple(
    fc.option(registry, { nil: undefined }),
    path,
    fc.option(tagText, { nil: undefined }),
    fc.option(digest, { nil: undefined }),
  )
  .map(
    ([r, p, t, d]) =>
      (r === undefined ? '' : `${r}/`) +
      p +
      (t === undefined ? '' : `:${t}`) +
      (d === undefined ? '' : `@${d}`),
  )
  // Without a registry, a first path component with a '.' reads as a host name (Docker's rule), and
  // one like `a.b__c` is then an invalid host: such texts are not references, so they are dropped.
  .filter((text) => ImageReference.tryParse(text) !== undefined);

describe('ImageReference properties', () => {
  it('formats and parses back to an equal reference (canonical and familiar forms)', () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const ref = ImageReference.parse(text);
        expect(ImageReference.parse(ref.toString()).equals(ref)).toBe(true);
        expect(ImageReference.parse(ref.familiar()).equals(ref)).toBe(true);
        expect(
          ImageReference.from({
            registry: ref.registry,
            repository: ref.repository,
            ...(ref.tag === undefined ? {} : { tag: ref.tag }),
            ...(ref.digest === undefined ? {} : { digest: ref.digest }),
          }).equals(ref),
        ).toBe(true);
      }),
    );
  });

  it('normalization is idempotent', () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const once = ImageReference.parse(text).toString();
        expect(ImageReference.parse(once).toString()).toBe(once);
        const familiar = ImageReference.parse(text).familiar();
        expect(ImageReference.parse(familiar).familiar()).toBe(familiar);
      }),
    );
  });

  it('rejects any string with a character outside the grammar', () => {
    const outside = fc
      .string({ minLength: 1, maxLength: 1, unit: 'grapheme' })
      .filter((c) => !/^[A-Za-z0-9._\-/:@[\]]$/.test(c));
    fc.assert(
      fc.property(referenceText, outside, fc.nat(), (text, char, at) => {
        const i = at % (text.length + 1);
        const bad = text.slice(0, i) + char + text.slice(i);
        expect(() => ImageReference.parse(bad)).toThrow(/invalid character/);
        expect(ImageReference.tryParse(bad)).toBeUndefined();
      }),
    );
  });

  it('accepts exactly what distribution accepts (random strings, no digests)', () => {
    // The oracle is distribution's ParseNormalizedNamed written with its own regexes.
    const dc = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`;
    const domain = String.raw`(?:${dc}(?:\.${dc})*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?`;
    const pc = String.raw`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
    const remote = String.raw`${pc}(?:\/${pc})*`;
    const full = new RegExp(String.raw`^((?:${domain}\/)?${remote})(?::([\w][\w.-]{0,127}))?$`);
    const nameRe = new RegExp(String.raw`^(?:(${domain})\/)?(${remote})$`);
    const oracle = (s: string): boolean => {
      if (/^[a-f0-9]{64}$/.test(s)) return false;
      const slash = s.indexOf('/');
      let d = 'docker.io';
      let rem = s;
      if (slash !== -1) {
        const first = s.slice(0, slash);
        if (first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase()) {
          d = first === 'index.docker.io' ? 'docker.io' : first;
          rem = s.slice(slash + 1);
        }
      }
      if (d === 'docker.io' && !rem.includes('/')) rem = `library/${rem}`;
      const colon = rem.indexOf(':');
      const remoteName = colon === -1 ? rem : rem.slice(0, colon);
      if (remoteName !== remoteName.toLowerCase()) return false;
      const m = full.exec(`${d}/${rem}`);
      if (m?.[1] === undefined) return false;
      const n = nameRe.exec(m[1]);
      return n?.[2] !== undefined && n[2].length <= 255;
    };
    // Distribution accepts a first component such as `foo_bar.com` by reading the whole string
    // as a path with no domain; we refuse it as an invalid registry (documented deviation).
    const invalidDomainFirst = (s: string): boolean => {
      const slash = s.indexOf('/');
      if (slash === -1) return false;
      const first = s.slice(0, slash);
      return (
        (/[.:]/.test(first) || first !== first.toLowerCase()) &&
        !new RegExp(`^${domain}$`).test(first)
      );
    };
    const text = fc.string({ unit: fc.constantFrom(...Array.from('ab1A._-/:[]')), maxLength: 14 });
    fc.assert(
      fc.property(text, (s) => {
        fc.pre(!invalidDomainFirst(s));
        expect(ImageReference.tryParse(s) !== undefined).toBe(oracle(s));
      }),
      { numRuns: 3000 },
    );
  });
});
