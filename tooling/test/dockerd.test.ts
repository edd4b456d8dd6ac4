// The private Docker daemon harness (tooling/docker/dockerd.ts) with Debian's dockerd: it starts
// a daemon with its own data root and socket that the docker CLI reaches, and stop() ends it and
// removes its directory. Like the archive suites that use it, this test needs dockerd and root:
// where they are missing it fails with the reason (tests never skip). A missing, failing or
// non-root dockerd is reported, leaving nothing behind.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startDockerd } from '../docker/dockerd.js';
import { usePrivateTmpdir, withPath, type PrivateTmp } from './helpers.js';

let tmp: PrivateTmp;
beforeAll(() => {
  tmp = usePrivateTmpdir();
});
afterAll(() => {
  tmp.restore();
});

const daemonDirs = (): string[] => tmp.entries().filter((e) => e.startsWith('dkd-'));

describe('startDockerd', () => {
  it('runs a daemon with its own root and socket that the CLI reaches; stop() ends it and removes its directory', async () => {
    const daemon = await startDockerd();
    onTestFinished(() => daemon.stop());
    const socket = daemon.host.replace(/^unix:\/\//, '');
    const dir = dirname(socket);
    expect(daemon.host).toBe(`unix://${join(tmp.dir, daemonDirs()[0] ?? '', 'docker.sock')}`);
    expect(daemon.env['DOCKER_HOST']).toBe(daemon.host);
    expect(daemon.env['DOCKER_CONFIG']).toBe(join(dir, 'config'));
    expect((await daemon.docker('info', '--format', '{{.DockerRootDir}}')).trim()).toBe(
      join(dir, 'data'),
    );
    expect((await daemon.docker('version', '--format', '{{.Server.Version}}')).trim()).toMatch(
      /^\d+\.\d+/,
    );
    // Networking off: no bridge network to create containers on.
    expect(await daemon.docker('network', 'ls', '--format', '{{.Name}}')).not.toContain('bridge');
    expect(daemon.log()).toContain('API listen on');
    await daemon.stop();
    expect(existsSync(socket)).toBe(false);
    expect(daemonDirs()).toEqual([]);
    await expect(daemon.docker('version')).rejects.toThrow();
  });

  it('names dockerd when it is missing, and reports a failing --version', async () => {
    await expect(startDockerd({ binary: '/nonexistent/dockerd' })).rejects.toThrow(
      'dockerd is not installed: run `apt-get install -y --no-install-recommends docker.io`',
    );
    await withPath([], { 'broken-dockerd': 'echo nope >&2; exit 1' }, async () => {
      await expect(startDockerd({ binary: 'broken-dockerd' })).rejects.toThrow(
        /^broken-dockerd --version failed: .*nope/s,
      );
    });
  });

  it('refuses to start without root, saying so', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    await expect(startDockerd()).rejects.toThrow('dockerd needs root here');
    expect(daemonDirs()).toEqual([]);
  });

  it('reports a daemon that exits before it answers, with its log, and removes its directory', async () => {
    await withPath(
      [],
      {
        'fake-dockerd':
          '[ "$1" = --version ] && { echo "Docker version 0"; exit 0; }\necho "cannot start: no overlay" >&2\nexit 3',
      },
      async () => {
        await expect(startDockerd({ binary: 'fake-dockerd', cli: '/bin/false' })).rejects.toThrow(
          /dockerd exited with code 3 before it was ready:\ncannot start: no overlay/,
        );
      },
    );
    expect(daemonDirs()).toEqual([]);
  });
});
