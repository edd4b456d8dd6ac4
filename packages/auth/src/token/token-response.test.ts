import { describe, expect, it } from 'vitest';
import { pullScope } from '@llmdevops/docker-hub-core';
import { parseTokenResponse } from './token-response.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseTokenResponse', () => {
  it('prefers access_token over token and reads refresh_token', () => {
    const t = parseTokenResponse(
      { token: 'a', access_token: 'b', expires_in: 300, refresh_token: 'r' },
      NOW,
      [pullScope('x')],
    );
    expect(t?.token.reveal()).toBe('b');
    expect(t?.refreshToken?.reveal()).toBe('r');
    expect(t?.scopes).toEqual([pullScope('x')]);
    expect(t?.expiresAt).toBe(NOW + 300_000);
  });

  it('accepts token alone and defaults expires_in to 60 s', () => {
    const t = parseTokenResponse({ token: 'a' }, NOW, []);
    expect(t?.token.reveal()).toBe('a');
    expect(t?.expiresAt).toBe(NOW + 60_000);
    expect(t?.refreshToken).toBeUndefined();
  });

  it('clamps expires_in below 60 s to 60 s', () => {
    expect(parseTokenResponse({ token: 'a', expires_in: 2 }, NOW, [])?.expiresAt).toBe(
      NOW + 60_000,
    );
  });

  it('counts from issued_at when plausible', () => {
    const t = parseTokenResponse(
      { token: 'a', expires_in: 300, issued_at: '2025-12-31T23:59:00Z' },
      NOW,
      [],
    );
    expect(t?.issuedAt).toBe(NOW - 60_000);
    expect(t?.expiresAt).toBe(NOW + 240_000);
  });

  it.each([
    ['in the future', '2026-01-01T01:00:00Z'],
    ['so old the token is expired', '2025-01-01T00:00:00Z'],
    ['unparseable', 'yesterday'],
  ])('uses the receive time when issued_at is %s', (_label, issuedAt) => {
    const t = parseTokenResponse({ token: 'a', expires_in: 300, issued_at: issuedAt }, NOW, []);
    expect(t?.issuedAt).toBe(NOW);
    expect(t?.expiresAt).toBe(NOW + 300_000);
  });

  it.each([
    undefined,
    null,
    'x',
    {},
    { token: '' },
    { token: 5 },
    { access_token: 'a', expires_in: 'soon' },
  ])('returns undefined for %j', (body) => {
    expect(parseTokenResponse(body, NOW, [])).toBeUndefined();
  });
});
