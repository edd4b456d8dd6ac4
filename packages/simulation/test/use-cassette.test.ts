// useCassette and useSimulator as a test suite uses them: the first `session` suite records each
// test's cassette from a simulator started by useSimulator, the second replays the same files
// under CI with the simulator gone (its upstream throws), and the helpers' option checks.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CassetteMissError, ConfigError } from '@llmdevops/docker-hub-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cassetteFileName,
  missingCassette,
  resolveCassetteMode,
} from '../src/vitest/use-cassette.js';
import { CASSETTE_MODE_ENV, useCassette, useSimulator } from '../src/vitest.js';
import { makeClient, pushImage } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'use-cassette-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BASE = 'http://127.0.0.1:5000';
const recorded: Record<string, unknown> = {};

describe('session', () => {
  const sim = useSimulator({ profile: 'oci' });
  const cassette = useCassette('demo', {
    dir,
    env: {},
    upstream: (request) => sim.simulator.fetch(request),
  });

  it('pushes and lists tags', async () => {
    expect(cassette.mode).toBe('record');
    expect(cassette.path).toBe(join(dir, 'demo', 'session-pushes-and-lists-tags.json'));
    const client = makeClient(BASE, cassette.dispatcher);
    const image = await pushImage(client, 'team/app', 'v1');
    const tags = await client.call('GET', '/v2/team/app/tags/list');
    recorded['tags'] = tags.json();
    recorded['digest'] = image.digest;
    expect(tags.json()).toEqual({ name: 'team/app', tags: ['v1'] });
  });

  it('reads the manifest back', async () => {
    const client = makeClient(BASE, sim.dispatcher);
    await pushImage(client, 'team/other', 'v2');
    const viaCassette = makeClient(BASE, cassette.dispatcher);
    const res = await viaCassette.call('GET', '/v2/team/other/manifests/v2', {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    recorded['other'] = res.headers['docker-content-digest'];
    expect(res.status).toBe(200);
  });
});

describe('session', () => {
  // Same titles, so the same files; CI makes it replay, and the upstream shows nothing leaves.
  const cassette = useCassette('demo', {
    dir,
    env: { CI: 'true' },
    upstream: () => Promise.reject(new Error('the upstream was called during replay')),
  });

  it('pushes and lists tags', async () => {
    expect(cassette.mode).toBe('replay');
    const client = makeClient('http://127.0.0.1:1', cassette.dispatcher);
    const image = await pushImage(client, 'team/app', 'v1');
    const tags = await client.call('GET', '/v2/team/app/tags/list');
    expect(tags.json()).toEqual(recorded['tags']);
    expect(image.digest).toBe(recorded['digest']);
  });

  it('reads the manifest back', async () => {
    const client = makeClient('http://registry.example.test', cassette.dispatcher);
    const res = await client.call('GET', '/v2/team/other/manifests/v2', {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(res.headers['docker-content-digest']).toBe(recorded['other']);
    const miss = await client
      .call('GET', '/v2/team/other/manifests/v3', {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(miss).toBeInstanceOf(CassetteMissError);
    expect(String(miss)).toContain(cassette.path);
  });
});

describe('the files written', () => {
  it('are one per test, named after it, written 0600', () => {
    const files = readdirSync(join(dir, 'demo')).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual([
      'session-pushes-and-lists-tags.json',
      'session-reads-the-manifest-back.json',
    ]);
    for (const f of files) expect(statSync(join(dir, 'demo', f)).mode & 0o777).toBe(0o600);
  });
});

describe('useSimulator on loopback, one per test', () => {
  const sim = useSimulator({}, { listen: true, per: 'each' });
  const seen: string[] = [];

  it('serves on a loopback URL', async () => {
    seen.push(sim.url);
    const res = await makeClient(sim.url).call('GET', '/v2/');
    expect(res.status).toBe(200);
  });

  it('starts a fresh one for the next test', async () => {
    expect(sim.url).not.toBe(seen[0]);
    const res = await makeClient(sim.url).call('GET', '/v2/team/app/tags/list');
    expect(res.status).toBe(404);
  });
});

describe('mode', () => {
  it('follows DHUB_CASSETTE_MODE, then CI, then whether the file exists', () => {
    expect(resolveCassetteMode(undefined, { [CASSETTE_MODE_ENV]: 'update' }, false)).toBe('update');
    expect(resolveCassetteMode('passthrough', { [CASSETTE_MODE_ENV]: 'update' }, false)).toBe(
      'passthrough',
    );
    expect(resolveCassetteMode(undefined, { CI: 'true' }, false)).toBe('replay');
    expect(resolveCassetteMode(undefined, { CI: 'false' }, false)).toBe('record');
    expect(resolveCassetteMode(undefined, {}, true)).toBe('replay');
    expect(resolveCassetteMode(undefined, {}, false)).toBe('record');
  });

  it('a missing cassette in replay mode says why and how to record it', () => {
    const err = missingCassette('/x/demo/t.json', { CI: 'true' });
    expect(err.code).toBe('CASSETTE_INVALID');
    expect(err.message).toBe(
      'cassette /x/demo/t.json does not exist and under CI the mode is replay: record it with DHUB_CASSETTE_MODE=record (against the real registry) and commit it',
    );
    expect(missingCassette('/x', { [CASSETTE_MODE_ENV]: 'replay' }).message).toContain(
      'DHUB_CASSETTE_MODE is replay',
    );
  });

  it('rejects an unknown DHUB_CASSETTE_MODE by name, listing the valid ones', () => {
    expect(() => resolveCassetteMode(undefined, { [CASSETTE_MODE_ENV]: 'rewind' }, true)).toThrow(
      /DHUB_CASSETTE_MODE: must be one of record, replay, update, passthrough, got 'rewind'/,
    );
  });
});

describe('file names', () => {
  it('join suite and test titles and keep only safe characters', () => {
    expect(cassetteFileName(['pull', 'gets alpine:3.20 (amd64)'])).toBe(
      'pull-gets-alpine-3.20-amd64',
    );
    expect(cassetteFileName(['../../etc/passwd'])).toBe('etc-passwd');
  });

  it('cut long titles and keep them apart with a hash', () => {
    const a = cassetteFileName(['x'.repeat(150), 'a']);
    const b = cassetteFileName(['x'.repeat(150), 'b']);
    expect(a).toHaveLength(100);
    expect(a).not.toBe(b);
  });
});

describe('option checks', () => {
  it('reject a bad name, an unknown key and a bad cassette option at once', () => {
    let caught: unknown;
    try {
      useCassette('../up', {
        dir,
        salt: 'short',
        ...({ recordIfMissing: true } as object),
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const paths = (caught as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(['name', 'recordIfMissing', 'salt']);
    expect(String(caught)).toContain('valid: dir, mode, upstream, env, matchRequestsBy');
  });

  it('useSimulator rejects an unknown profile and an unknown setup key', () => {
    expect(() => useSimulator({ profile: 'quay' as 'oci' })).toThrow(ConfigError);
    expect(() => useSimulator({}, { listen: true, ...({ port: 1 } as object) })).toThrow(
      /port: unknown option; valid: listen, per/,
    );
  });
});
