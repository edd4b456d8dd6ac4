import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { allowListedHeaders, createEventBus, DIAGNOSTICS_CHANNELS, whileActive, type MalformedHeaderEvent } from './events.js';

const event: MalformedHeaderEvent = { host: 'registry.test', header: 'retry-after', problem: 'bad' };

describe('transport event bus', () => {
  it('counts as observed only while a listener or a channel subscriber is there', () => {
    const bus = createEventBus();
    expect(bus.observed('malformedHeader')).toBe(false);
    const off = bus.on('malformedHeader', () => undefined);
    expect(bus.observed('malformedHeader')).toBe(true);
    expect(bus.observed('retry')).toBe(false);
    off();
    expect(bus.observed('malformedHeader')).toBe(false);
    const onMessage = (): void => undefined;
    diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.malformedHeader, onMessage);
    try {
      expect(bus.observed('malformedHeader')).toBe(true);
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.malformedHeader, onMessage);
    }
  });

  it('counts a whileActive listener only while its condition holds, and still calls it when others observe', () => {
    const bus = createEventBus();
    let active = false;
    const seen: MalformedHeaderEvent[] = [];
    bus.on('malformedHeader', whileActive((e) => seen.push(e), () => active));
    expect(bus.observed('malformedHeader')).toBe(false);
    active = true;
    expect(bus.observed('malformedHeader')).toBe(true);
    active = false;
    bus.emit('malformedHeader', event);
    expect(seen).toEqual([event]);
  });

  it('calls every listener in order even when one throws, stops after unsubscribing, and publishes to subscribers', () => {
    const bus = createEventBus();
    const calls: string[] = [];
    bus.on('malformedHeader', () => {
      calls.push('first');
      throw new Error('listener bug');
    });
    const off = bus.on('malformedHeader', () => calls.push('second'));
    const published: unknown[] = [];
    const onMessage = (message: unknown): void => {
      published.push(message);
    };
    diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.malformedHeader, onMessage);
    try {
      bus.emit('malformedHeader', event);
      off();
      off();
      bus.emit('malformedHeader', event);
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.malformedHeader, onMessage);
    }
    expect(calls).toEqual(['first', 'second', 'first']);
    expect(published).toEqual([event, event]);
  });
});

describe('allowListedHeaders', () => {
  it('keeps only the allow-listed and rate-limit headers, lower-cased, joining repeated values', () => {
    expect(
      allowListedHeaders({
        'Content-Type': 'application/json',
        'docker-content-digest': 'sha256:1',
        'retry-after': '5',
        'RateLimit-Remaining': '3;w=60',
        'x-ratelimit-reset': ['1', '2'],
        'ratelimit-limit': undefined,
        authorization: 'Bearer secret',
        'www-authenticate': 'Bearer realm="x"',
        'set-cookie': ['a=b'],
        location: 'https://x/?token=secret',
        'content-length': '10',
      }),
    ).toEqual({
      'content-type': 'application/json',
      'docker-content-digest': 'sha256:1',
      'retry-after': '5',
      'ratelimit-remaining': '3;w=60',
      'x-ratelimit-reset': '1, 2',
    });
  });
});
