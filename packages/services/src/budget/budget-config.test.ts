import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerHubConfig } from '../config/docker-hub-config.js';
import { accountPool } from './accounts.js';

describe('budget configuration', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'budget-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the documented defaults and keeps the URL (which may hold a password) as a Secret', () => {
    const c = DockerHubConfig.parse({ budget: { url: 'redis://:pw@127.0.0.1:6379/0' } });
    expect(c.budget).toMatchObject({ onExhausted: 'wait', maxWaitSeconds: 600, reserve: 0, priority: 'low', reservationSeconds: 60, anonymousKey: 'anonymous' });
    expect(c.budget?.fallback).toBeUndefined();
    expect(c.budget?.url).toBeInstanceOf(Secret);
    expect(JSON.stringify(c)).not.toContain(':pw@');
    expect(DockerHubConfig.parse({}).budget).toBeUndefined();
    expect(DockerHubConfig.parse({ budget: {} }).budget?.url.reveal()).toBe('memory:');
  });

  it('reads the YAML file\'s snake_case keys, and DOCKER_HUB_BUDGET_URL overrides the file\'s URL only', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, 'docker_hub:\n  budget:\n    url: file:///tmp/b.json\n    on_exhausted: fail\n    max_wait_seconds: 30\n    reserve: 5\n    fallback: local\n');
    const fromFile = DockerHubConfig.fromFile(file, { env: {} });
    expect(fromFile.budget).toMatchObject({ onExhausted: 'fail', maxWaitSeconds: 30, reserve: 5, fallback: 'local' });
    expect(fromFile.budget?.url.reveal()).toBe('file:///tmp/b.json');
    const withEnv = DockerHubConfig.fromFile(file, { env: { DOCKER_HUB_BUDGET_URL: 'redis://127.0.0.1:6379/1' } });
    expect(withEnv.budget?.url.reveal()).toBe('redis://127.0.0.1:6379/1');
    expect(withEnv.budget).toMatchObject({ onExhausted: 'fail', reserve: 5 });
    expect(DockerHubConfig.fromEnv({ DOCKER_HUB_BUDGET_URL: 'memory:' }).budget?.onExhausted).toBe('wait');
  });

  it('refuses a URL that names no budget store, naming the variable', () => {
    const err = ((): unknown => {
      try {
        DockerHubConfig.fromEnv({ DOCKER_HUB_BUDGET_URL: 'http://127.0.0.1:6379' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('DOCKER_HUB_BUDGET_URL: must be memory:, file:///PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB');
  });

  it('builds the account pool from accounts and DOCKER_HUB_ACCOUNTS_FILE; a bad line is named without its token', async () => {
    const file = join(dir, 'accounts');
    await writeFile(file, '# CI pool\nci-one:tok-one\n\nci-two:tok-two\n');
    const c = DockerHubConfig.fromEnv({ DOCKER_HUB_ACCOUNTS_FILE: file }, { accounts: [{ username: 'ci-zero', accessToken: 'tok-zero' }] });
    expect([...accountPool(c).keys()]).toEqual(['ci-zero', 'ci-one', 'ci-two']);
    await writeFile(file, 'ci-one:tok-one\nsecret-without-name\n');
    const err = ((): unknown => {
      try {
        accountPool(DockerHubConfig.fromEnv({ DOCKER_HUB_ACCOUNTS_FILE: file }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`${file} line 2: expected NAME:TOKEN`);
    expect((err as Error).message).not.toContain('secret-without-name');
  });
});
