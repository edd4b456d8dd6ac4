import { describe, expect, it } from 'vitest';
import { isIdempotent, isReplayable } from './body.js';
import type { HttpMethod, StreamBody, TransportRequest } from './types.js';

const stream = (replayable: boolean): StreamBody => ({
  stream: async function* () {
    yield new Uint8Array([1]);
  },
  replayable,
});
const request = (method: HttpMethod, idempotent?: boolean): TransportRequest => ({
  method,
  url: new URL('https://registry.test/v2/'),
  headers: {},
  ...(idempotent === undefined ? {} : { idempotent }),
});

describe('request bodies and methods', () => {
  it('replays no body, bytes, strings and replayable streams, never a one-shot stream', () => {
    expect(isReplayable(undefined)).toBe(true);
    expect(isReplayable('')).toBe(true);
    expect(isReplayable(new Uint8Array())).toBe(true);
    expect(isReplayable(stream(true))).toBe(true);
    expect(isReplayable(stream(false))).toBe(false);
  });

  it('repeats GET, HEAD, PUT and DELETE but not POST or PATCH, unless idempotent says otherwise', () => {
    expect((['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH'] as const).map((m) => isIdempotent(request(m)))).toEqual([true, true, true, true, false, false]);
    expect(isIdempotent(request('POST', true))).toBe(true);
    expect(isIdempotent(request('GET', false))).toBe(false);
  });
});
