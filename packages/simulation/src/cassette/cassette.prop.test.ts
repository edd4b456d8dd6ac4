import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, hashRequestBody, matchKey, normalizeUrl } from './match.js';
import {
  findSecrets,
  redactBodyText,
  redactHeaders,
  redactJsonText,
  redactText,
  REDACTED,
} from './redact.js';

const base = { method: 'GET', headers: {}, bodyHash: 's', bodySize: 0 };

describe('cassette matching', () => {
  it('drops the origin and ignored parameters, sorts the query and redacts secret values', () => {
    expect(normalizeUrl('http://h:1/p?b=2&a=1&_state=x', {})).toBe('/p?a=1&b=2');
    expect(normalizeUrl('http://h/p?Token=abc&x=1', {})).toBe('/p?Token=%5BREDACTED%5D&x=1');
    expect(normalizeUrl('http://h/p?account=alice&x=1', { ignoreQuery: ['ACCOUNT'] })).toBe(
      '/p?x=1',
    );
    expect(matchKey({ ...base, url: normalizeUrl('http://x/p?a=1&b=2', {}) }, {})).toBe(
      matchKey({ ...base, url: normalizeUrl('http://y:9/p?b=2&a=1', {}) }, {}),
    );
  });

  it('names the closest recorded request with its repetition index', () => {
    expect(
      closest({ ...base, url: '/v2/a/manifests/v2' }, [
        { ...base, url: '/v2/b', order: 0 },
        { ...base, url: '/v2/a/manifests/v1', order: 1 },
      ]),
    ).toBe('GET /v2/a/manifests/v1 #1');
    expect(closest({ ...base, url: '/' }, [])).toBeUndefined();
  });

  it('hashes the redacted body with the salt: passwords never reach the hash, salts differ', () => {
    const a = hashRequestBody(Buffer.from('grant_type=password&password=one'), 'salt-salt-salt-1');
    const b = hashRequestBody(Buffer.from('grant_type=password&password=two'), 'salt-salt-salt-1');
    const c = hashRequestBody(Buffer.from('grant_type=password&password=one'), 'salt-salt-salt-2');
    expect(a).toEqual(b);
    expect(a.bodyHash).not.toBe(c.bodyHash);
    expect(a.bodyHash).toMatch(/^hmac-sha256:[a-f0-9]{64}$/);
  });
});

describe('cassette redaction', () => {
  it('finds a secret written as is or inside base64, and only those', () => {
    const hidden = Buffer.from('user:hunter2-pw').toString('base64');
    expect(findSecrets(`{"data":"${hidden}"}`, ['hunter2-pw', 'absent-value', ''])).toEqual([0]);
    expect(findSecrets('token=hunter2-pw', ['hunter2-pw'])).toEqual([0]);
    expect(findSecrets('nothing here', ['hunter2-pw'])).toEqual([]);
  });

  it('redacts secret names in any case at any depth, drops issued_at, keeps the rest', () => {
    const out = JSON.parse(
      redactJsonText(
        JSON.stringify({
          Token: 't1',
          a: [{ identitytoken: 't2', auths: { h: { auth: 'dXNlcjpwYXNz' } } }],
          issued_at: '2026-12-07T05:00:00Z',
          next: 'https://hub/x?page=2&api_key=k1',
          ok: 'x',
        }),
      ) ?? '',
    ) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/t1|t2|dXNlcjpwYXNz|k1/);
    expect(out['ok']).toBe('x');
    expect(out).not.toHaveProperty('issued_at');
    expect(redactJsonText('{"a":1}')).toBe('{"a":1}');
    expect(
      JSON.parse(redactJsonText('{"Tokens":["t1",{"x":"t2","n":3}],"secret":""}') ?? ''),
    ).toEqual({
      Tokens: [REDACTED, { x: REDACTED, n: 3 }],
      secret: '',
    });
    expect(redactJsonText('not json')).toBeUndefined();
  });

  it('redacts secrets in header values and credential headers, drops Date and cookies', () => {
    expect(
      redactHeaders({
        Location: '/v2/x?Token=abc&n=1',
        'www-authenticate': 'Bearer realm="http://h/token",service="s",token="abc"',
        'X-Registry-Auth': 'abc',
        date: 'Mon, 07 Dec 2026 05:00:00 GMT',
        'set-cookie': 'a=b',
        accept: 'x',
      }),
    ).toEqual({
      location: `/v2/x?Token=${REDACTED}&n=1`,
      'www-authenticate': `Bearer realm="http://h/token",service="s",token="${REDACTED}"`,
      'x-registry-auth': REDACTED,
      accept: 'x',
    });
    expect(redactText('Authorization: Basic dXNlcjpwYXNz\n')).toBe(
      `Authorization: Basic ${REDACTED}\n`,
    );
    expect(redactBodyText('username=u&Password=p%20w&secret=s')).toBe(
      `username=u&Password=${REDACTED}&secret=${REDACTED}`,
    );
  });

  it('leaves no planted value in any redacted place (property)', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{12,30}$/);
    fc.assert(
      fc.property(secret, (s) => {
        const text = [
          redactJsonText(JSON.stringify({ x: { REFRESH_TOKEN: s, list: [{ PassWord: s }] } })),
          JSON.stringify(redactHeaders({ authorization: `Bearer ${s}`, 'x-api-key': s })),
          normalizeUrl(`http://h/token?Access_Token=${s}&api_key=${s}&scope=x`, {}),
          redactBodyText(`client_secret=${s}&scope=x`),
        ].join('\n');
        expect(findSecrets(text, [s])).toEqual([]);
      }),
    );
  });
});
