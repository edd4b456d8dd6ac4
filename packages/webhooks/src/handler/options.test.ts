import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createWebhooks } from './create-webhooks.js';
import { createDedupeStore, type DedupeStoreOptions } from './dedupe-window.js';
import { type WebhooksOptions } from './options.js';

function issues(fn: () => unknown): readonly { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  return [];
}

describe('createWebhooks options', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const options = { maxBodyByte: 10 } as unknown as WebhooksOptions;
    expect(() => createWebhooks(options)).toThrow(/createWebhooks options:\n {2}- maxBodyByte: unknown option; did you mean maxBodyBytes\?/);
    const nested = { sharedSecret: { secrets: 'x', form: 'header' } } as unknown as WebhooksOptions;
    expect(issues(() => createWebhooks(nested))).toEqual([
      { path: 'sharedSecret.form', message: 'unknown option; did you mean from?' },
    ]);
  });

  it('refuses wrong types without quoting a secret', () => {
    const options = {
      sharedSecret: { secrets: 12345, from: 'cookie' },
      signature: { secrets: ['ok', 7] },
      ack: 'later',
      allowSources: '10.0.0.0/8',
      queue: true,
      maxBodyBytes: '1mb',
      limits: { maxDepth: 'deep' },
      clock: 5,
    } as unknown as WebhooksOptions;
    const found = issues(() => createWebhooks(options));
    expect(found.map((i) => i.path)).toEqual([
      'sharedSecret.secrets',
      'sharedSecret.from',
      'signature.secrets',
      'ack',
      'allowSources',
      'queue',
      'maxBodyBytes',
      'limits.maxDepth',
      'clock',
    ]);
    expect(JSON.stringify(found)).not.toContain('12345');
  });

  it('accepts secrets as Secret, string or a mix', () => {
    expect(() => createWebhooks({ sharedSecret: { secrets: new Secret('a'), from: 'header', name: 'x-t' } })).not.toThrow();
    expect(() => createWebhooks({ signature: { secrets: ['a', new Secret('b')], header: 'x-sig' } })).not.toThrow();
  });
});

describe('createDedupeStore options', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const options = { window: 5 } as unknown as DedupeStoreOptions;
    expect(issues(() => createDedupeStore(options))).toEqual([{ path: 'window', message: 'unknown option; did you mean windowMs?' }]);
    expect(issues(() => createDedupeStore({ clock: {} as unknown as { now(): number } }))).toEqual([
      { path: 'clock', message: 'must be a Clock with now()' },
    ]);
  });
});
