import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Platform } from './platform.js';

const part = fc.stringMatching(/^[a-z0-9][a-z0-9_.+-]{0,11}$/);
const osVersion = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$/);
const platformText = fc
  .tuple(part, fc.option(osVersion, { nil: undefined }), part, fc.option(part, { nil: undefined }))
  .map(
    ([os, v, arch, variant]) =>
      `${os}${v === undefined ? '' : `(${v})`}/${arch}${variant === undefined ? '' : `/${variant}`}`,
  );

describe('Platform properties', () => {
  it('parse and toString round-trip', () => {
    fc.assert(
      fc.property(platformText, (text) => {
        const p = Platform.parse(text);
        expect(p.toString()).toBe(text);
        expect(Platform.parse(p.toString()).equals(p)).toBe(true);
      }),
    );
  });

  it('normalization is idempotent and preserves equality', () => {
    fc.assert(
      fc.property(platformText, (text) => {
        const p = Platform.parse(text);
        const n = p.normalize();
        expect(n.normalize().toString()).toBe(n.toString());
        expect(n.equals(p)).toBe(true);
        expect(p.matches(n)).toBe(true);
      }),
    );
  });
});
