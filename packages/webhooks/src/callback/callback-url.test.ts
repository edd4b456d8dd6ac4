import { describe, expect, it } from 'vitest';
import { WebhookError } from '@llmdevops/docker-hub-core';
import { isNonPublicHost } from '@llmdevops/docker-hub-core';
import { parseCallbackUrl } from './callback-url.js';

describe('parseCallbackUrl', () => {
  it('parses the documented Docker Hub callback URL', () => {
    const url = parseCallbackUrl(
      'https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/',
    );
    expect(url.hostname).toBe('registry.hub.docker.com');
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fd00::1]/',
    'http://localhost/',
    'http://metadata.google.internal/',
    'http://10.1.2.3/',
    'http://192.168.0.1/',
    'http://0.0.0.0/',
  ])('refuses the non-public destination %s', (value) => {
    let error: unknown;
    try {
      parseCallbackUrl(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).status).toBe(400);
    expect((error as WebhookError).message).not.toContain(value);
  });

  it.each(['not a url', 'file:///etc/passwd', 'gopher://x/', 'https://user:pw@example.com/'])(
    'refuses %s',
    (value) => {
      expect(() => parseCallbackUrl(value)).toThrow(WebhookError);
    },
  );

  it('accepts non-public hosts only when allowed, for simulators', () => {
    expect(parseCallbackUrl('http://127.0.0.1:9/x', true).port).toBe('9');
    expect(isNonPublicHost('registry.hub.docker.com')).toBe(false);
    expect(isNonPublicHost('93.184.216.34')).toBe(false);
    expect(isNonPublicHost('')).toBe(true);
  });
});
