import { describe, expect, it } from 'vitest';
import { Secret, ValidationError } from '@llmdevops/docker-hub-core';
import { createdToken, expiryField } from './access-tokens-service.js';

describe('createdToken', () => {
  it('moves the token into a Secret and keeps it out of the details', () => {
    const { token, secret } = createdToken(
      { uuid: 'u-1', label: 'ci', token: 'dckr_pat_abc' },
      'create access token "ci"',
      (t) => t.uuid,
    );
    expect(secret).toBeInstanceOf(Secret);
    expect(secret.reveal()).toBe('dckr_pat_abc');
    expect(token).toEqual({ uuid: 'u-1', label: 'ci' });
  });

  it('refuses an answer without its token, naming the request and the token id', () => {
    let caught: unknown;
    try {
      const answer: { id: string; label: string; token?: string } = { id: 'o-7', label: 'ci' };
      createdToken(answer, 'create access token "ci" of acme', (t) => t.id);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).message).toContain(
      'create access token "ci" of acme: Docker Hub\'s answer has no token',
    );
    expect((caught as ValidationError).input).toBe('o-7');
  });
});

describe('expiryField', () => {
  it('is empty without an expiry and an ISO date with one', () => {
    expect(expiryField(undefined)).toEqual({});
    expect(expiryField(new Date(Date.UTC(2030, 0, 2, 3, 4, 5)))).toEqual({
      expires_at: '2030-01-02T03:04:05.000Z',
    });
  });
});
