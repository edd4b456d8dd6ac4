import { describe, expect, it } from 'vitest';
import { parseErrorBody, parseRegistryErrors } from './parse-error-body.js';

describe('parseRegistryErrors', () => {
  it('reads the entries of a distribution error envelope', () => {
    expect(
      parseRegistryErrors({
        errors: [
          { code: 'DENIED', message: ' no ', detail: { a: 1 } },
          5,
          null,
          { code: 7 },
          { code: 'lower' },
          { code: 'X', message: 'm'.repeat(400) },
        ],
      }),
    ).toEqual([
      { code: 'DENIED', message: 'no', detail: { a: 1 } },
      { code: 'UNKNOWN', message: '' },
      { code: 'UNKNOWN', message: '' },
      { code: 'X', message: 'm'.repeat(300) },
    ]);
  });

  it('yields nothing for bodies without an errors array', () => {
    expect(parseRegistryErrors(null)).toEqual([]);
    expect(parseRegistryErrors('errors')).toEqual([]);
    expect(parseRegistryErrors({ errors: 'x' })).toEqual([]);
    expect(parseRegistryErrors({})).toEqual([]);
  });
});

describe('parseErrorBody', () => {
  it('takes the message from the first registry error', () => {
    const body = JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }, { code: 'X' }] });
    expect(parseErrorBody(body)).toEqual({
      registryErrors: [
        { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
        { code: 'X', message: '' },
      ],
      message: 'MANIFEST_UNKNOWN: manifest unknown',
      twoFactor: false,
    });
    expect(parseErrorBody('{"errors":[{"code":"DENIED"}]}').message).toBe('DENIED');
  });

  it('reads Hub API bodies and flags a 2FA challenge without keeping its token', () => {
    expect(parseErrorBody('{"message":"object not found","errinfo":{}}').message).toBe('object not found');
    expect(parseErrorBody('{"detail":"nope"}').message).toBe('nope');
    expect(parseErrorBody('{"text":"bad field","fields":{"a":["x"]}}').message).toBe('bad field');
    expect(parseErrorBody('{"error":"bad"}').message).toBe('bad');
    const twoFa = parseErrorBody('{"detail":"Require secondary authentication","login_2fa_token":"SECRET"}');
    expect(twoFa.twoFactor).toBe(true);
    expect(JSON.stringify(twoFa)).not.toContain('SECRET');
    expect(parseErrorBody(JSON.stringify({ message: 'y'.repeat(500) })).message).toHaveLength(300);
  });

  it('tolerates text that is not a JSON object', () => {
    const none = { registryErrors: [], message: undefined, twoFactor: false };
    expect(parseErrorBody('not json')).toEqual(none);
    expect(parseErrorBody('[1,2]')).toEqual(none);
    expect(parseErrorBody('null')).toEqual(none);
    expect(parseErrorBody('{"message":"  "}')).toEqual(none);
  });
});
