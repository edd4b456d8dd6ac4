import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, matchKey, normalizeUrl } from './match.js';
import { findSecrets, redactHeaders, redactJsonBody, redactUrl } from './redact.js';

describe('cassette matching and redaction', () => {
  it('normalises query order and drops volatile parameters', () => {
    expect(normalizeUrl('http://h/p?b=2&a=1&_state=x', {})).toBe('/p?a=1&b=2');
    const base = { method: 'GET', headers: {}, bodySha256: 's', bodySize: 0 };
    expect(matchKey({ ...base, url: 'http://x/p?a=1&b=2' }, {})).toBe(
      matchKey({ ...base, url: 'http://y/p?b=2&a=1' }, {}),
    );
    expect(
      closest({ ...base, url: 'http://x/v2/a/manifests/v2' }, [
        { ...base, url: 'http://x/v2/b' },
        { ...base, url: 'http://x/v2/a/manifests/v1' },
      ]),
    ).toBe('GET http://x/v2/a/manifests/v1');
    expect(closest({ ...base, url: 'http://x/' }, [])).toBeUndefined();
  });

  it('never leaves a token, password or credential header in what it redacts (property)', () => {
    const secret = fc
      .string({ minLength: 8, maxLength: 40 })
      .filter((s) => /^[\w.-]+$/.test(s) && !'[REDACTED]'.includes(s));
    fc.assert(
      fc.property(secret, (s) => {
        const body = redactJsonBody(
          JSON.stringify({
            token: s,
            nested: { access_token: s, refresh_token: s },
            list: [{ password: s }],
            ok: 'x',
          }),
        );
        const headers = JSON.stringify(
          redactHeaders({ authorization: `Bearer ${s}`, cookie: s, 'set-cookie': s, accept: 'a' }),
        );
        const url = redactUrl(`http://h/token?access_token=${s}&password=${s}&scope=x`);
        expect(findSecrets(`${body}${headers}${url}`, [s])).toEqual([]);
        expect(JSON.parse(body).ok).toBe('x');
      }),
    );
    expect(redactJsonBody('not json')).toBe('not json');
    expect(redactJsonBody('3')).toBe('3');
  });
});
