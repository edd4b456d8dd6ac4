import { ConfigError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { parseSyncConfig } from './sync-config.js';

function issuesOf(text: string): string[] {
  try {
    parseSyncConfig(text, 'sync.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('parseSyncConfig', () => {
  it('reads defaults, entries (a pattern or a list) and parallel', () => {
    const config = parseSyncConfig(
      [
        'defaults:',
        '  tags: { exclude: ".*-rc.*", last: 5 }',
        '  platforms: [linux/amd64, linux/arm64]',
        'parallel: 2',
        'syncs:',
        '  - source: docker.io/library/alpine',
        '    target: 127.0.0.1:5000/mirror/alpine',
        '    tags:',
        '      include: ["3\\\\.\\\\d+", edge]',
        '      semver: ">=3.19"',
        '  - source: 127.0.0.1:5000/team/app',
        '    target: 127.0.0.1:6000/team/app',
        '    referrers: false',
        '    jobs: 8',
      ].join('\n'),
    );
    expect(config).toEqual({
      defaults: { tags: { exclude: ['.*-rc.*'], last: 5 }, platforms: ['linux/amd64', 'linux/arm64'] },
      parallel: 2,
      syncs: [
        { source: 'docker.io/library/alpine', target: '127.0.0.1:5000/mirror/alpine', tags: { include: ['3\\.\\d+', 'edge'], semver: '>=3.19' } },
        { source: '127.0.0.1:5000/team/app', target: '127.0.0.1:6000/team/app', referrers: false, jobs: 8 },
      ],
    });
  });

  it('reports an unknown key with file, line and column', () => {
    expect(issuesOf('syncs:\n  - source: a/b\n    target: c/d\n    tagz: {}\n')).toEqual([
      'syncs.0.tagz: unknown key; expected one of source, target, tags, platforms, referrers, jobs (at sync.yaml:4:5)',
    ]);
    expect(issuesOf('sync:\n  - source: a/b\n')).toEqual([
      'sync: unknown key; expected one of defaults, syncs, parallel (at sync.yaml:1:1)',
      'syncs: is missing: list the repositories to copy (at sync.yaml:1:1)',
    ]);
  });

  it('reports every bad value at once, each where it is', () => {
    const issues = issuesOf(
      [
        'parallel: 0',
        'syncs:',
        '  - source: a/b:1.0',
        '    target: c/d',
        '    tags:',
        '      include: [ok, "("]',
        '      semver: banana',
        '      last: -1',
        '    platforms: [linux]',
        '  - target: c/e',
      ].join('\n'),
    );
    expect(issues).toHaveLength(7);
    expect(issues[0]).toBe('parallel: must be a whole number of at least 1 (at sync.yaml:1:11)');
    expect(issues).toContain('syncs.0.source: must be a repository without tag or digest, got "a/b:1.0" (at sync.yaml:3:13)');
    expect(issues.find((i) => i.startsWith('syncs.0.tags.include:'))).toMatch(/invalid regular expression "\(".*\(at sync\.yaml:6:21\)$/);
    expect(issues.find((i) => i.startsWith('syncs.0.tags.semver:'))).toMatch(/invalid semver range "banana".*\(at sync\.yaml:7:15\)$/);
    expect(issues).toContain('syncs.0.tags.last: must be a whole number of at least 1 (at sync.yaml:8:13)');
    expect(issues.find((i) => i.startsWith('syncs.0.platforms:'))).toMatch(/\(at sync\.yaml:9:17\)$/);
    expect(issues).toContain('syncs.1.source: is missing (at sync.yaml:10:5)');
  });

  it('reports YAML syntax errors with their position, and a document that is not a mapping', () => {
    expect(issuesOf('syncs: [a\n')[0]).toMatch(/\(at sync\.yaml:\d+:\d+\)$/);
    expect(issuesOf('- just a list\n')).toEqual([': must be a mapping with "syncs" (at sync.yaml:1:1)']);
  });
});
