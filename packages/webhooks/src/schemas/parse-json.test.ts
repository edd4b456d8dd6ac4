import { describe, expect, it } from 'vitest';
import { WebhookError } from '@llmdevops/docker-hub-core';
import { parseJsonSafely } from './parse-json.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function rejection(text: string | Uint8Array): WebhookError {
  try {
    parseJsonSafely(typeof text === 'string' ? bytes(text) : text);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError);
    return error as WebhookError;
  }
  throw new Error('expected a rejection');
}

describe('parseJsonSafely', () => {
  it('parses ordinary JSON, strings with brackets and escaped quotes included', () => {
    expect(parseJsonSafely(bytes('{"a":"[[[{\\"x","b":[1,{"c":null}]}'))).toEqual({
      a: '[[[{"x',
      b: [1, { c: null }],
    });
  });

  it('refuses invalid UTF-8 and invalid JSON with 400 without quoting the body', () => {
    expect(rejection(new Uint8Array([0x7b, 0xff, 0x7d])).message).toBe('body is not valid UTF-8');
    const error = rejection('{"secretish": tru');
    expect(error.status).toBe(400);
    expect(error.message).toBe('body is not valid JSON');
    expect(error.cause).toBeUndefined();
  });

  it('refuses nesting past the limit before parsing, even for a huge bracket run', () => {
    const deep = '['.repeat(200_000);
    const error = rejection(deep);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/nesting is deeper than 32/);
    expect(parseJsonSafely(bytes(`${'['.repeat(32)}${']'.repeat(32)}`))).toBeInstanceOf(Array);
    expect(() => parseJsonSafely(bytes(`${'['.repeat(33)}${']'.repeat(33)}`))).toThrow(
      WebhookError,
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s at any depth', (key) => {
    expect(rejection(`{"${key}":{"polluted":true}}`).message).toBe(
      'payload contains a forbidden key',
    );
    expect(rejection(`{"a":[{"b":{"${key}":1}}]}`).status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses strings and keys longer than the limit', () => {
    const limits = { maxDepth: 32, maxStringLength: 10 };
    expect(() => parseJsonSafely(bytes('{"a":"12345678901"}'), limits)).toThrow(/string is longer/);
    expect(() => parseJsonSafely(bytes('{"12345678901":1}'), limits)).toThrow(/key is longer/);
    expect(parseJsonSafely(bytes('{"a":"1234567890"}'), limits)).toEqual({ a: '1234567890' });
  });
});
