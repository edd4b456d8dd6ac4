import { inspect } from 'node:util';
import { fc, test } from '@fast-check/vitest';
import { MockAgent } from 'undici';
import { describe, expect } from 'vitest';
import { createTransport } from './transport.js';

describe('secrets never leak into events or errors', () => {
  test.prop([fc.stringMatching(/^[A-Za-z0-9]{12,40}$/)], { numRuns: 25 })('for any token', async (token) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('https://registry.example.com');
    pool.intercept({ path: /\/v2\// }).reply(503, 'nope');
    pool.intercept({ path: /\/v2\// }).reply(401, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'auth' }] }), {
      headers: { 'www-authenticate': `Bearer realm="x",token="${token}"`, 'set-cookie': `s=${token}` },
    });
    const t = createTransport({ dispatcher: agent, random: () => 0, clock: { now: () => 0, sleep: () => Promise.resolve() } });
    const seen: unknown[] = [];
    for (const name of ['requestStart', 'requestEnd', 'retry', 'malformedHeader', 'rateLimitLow', 'breakerStateChange'] as const) {
      t.events.on(name, (e) => seen.push(e));
    }
    const res = await t.request({
      method: 'GET',
      url: new URL(`https://registry.example.com/v2/x/blobs/uploads/1?_state=${token}&token=${token}`),
      headers: { authorization: `Bearer ${token}`, cookie: `c=${token}` },
    });
    const { errorFromResponse } = await import('../registry-errors/error-from-response.js');
    const err = await errorFromResponse(res, 'GET blob upload');
    const dump = [JSON.stringify(seen), inspect(seen, { depth: 10 }), JSON.stringify(err), String(err), err.stack ?? ''].join('\n');
    expect(dump).not.toContain(token);
    await agent.close();
  });
});
