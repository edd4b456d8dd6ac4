// The README's main job: `dhub demo` works offline and exits 0.
import { describe, expect, it } from 'vitest';
import { cleanEnv, runBin, runInProcess } from './helpers.js';

describe('dhub demo', () => {
  it('runs every step in-process and prints the summary', async () => {
    const r = await runInProcess(['demo'], { env: await cleanEnv() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^simulated Docker Hub on http:\/\/127\.0\.0\.1:\d+/);
    expect(lines.slice(1, 7).map((l) => l.slice(0, 2))).toEqual([
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
    ]);
    expect(r.stdout).toContain('tags of demo/hello: 1.0');
    expect(r.stdout).toMatch(/5\. rate limit: \d+ of 200 pulls left in 21600s/);
    expect(r.stdout).toContain('6. webhook delivery: push of demo/hello:1.0 by demo');
    expect(lines.at(-1)).toMatch(/^demo OK in /);
  });

  it('prints a JSON summary as the binary', async () => {
    const r = await runBin(['demo', '--json'], { env: await cleanEnv() });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      ok: true,
      reference: 'docker.io/demo/hello:1.0',
      tags: ['1.0'],
      pulled: { verified: true },
      webhook: { repository: 'demo/hello', tag: '1.0' },
    });
    expect((summary['arm64'] as { digest: string }).digest).toBe(
      (summary['pulled'] as { digest: string }).digest,
    );
  });
});
