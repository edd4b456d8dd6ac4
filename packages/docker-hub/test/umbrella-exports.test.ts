// The umbrella's entry point is an explicit list of names (tooling/scripts/umbrella-exports.mjs
// writes it); these tests fail when the list goes stale and check the generator itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as toolkit from '../src/index.js';

const script = fileURLToPath(new URL('../../../tooling/scripts/umbrella-exports.mjs', import.meta.url));

interface Generator {
  packageExports(): Map<string, { values: string[]; types: string[] }>;
  renderUmbrella(exports: Map<string, { values: string[]; types: string[] }>): string;
}

describe('umbrella export list', () => {
  it('is what the packages export now (umbrella-exports.mjs --check passes)', () => {
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);

  it('re-exports at run time every value the packages export, each from its home package', async () => {
    const gen = (await import(script)) as Generator;
    const exports = gen.packageExports();
    const values = [...exports.values()].flatMap((e) => e.values).sort();
    const runtime = Object.keys(toolkit).sort();
    expect(runtime).toEqual(values);
    // transport re-exports core's isLoopbackHost: listed once, from core.
    expect(exports.get('core')?.values).toContain('isLoopbackHost');
    expect(exports.get('transport')?.values).not.toContain('isLoopbackHost');
  }, 60_000);

  it('refuses two different exports of one name, naming both packages', async () => {
    const gen = (await import(script)) as Generator;
    const planted = new Map([
      ['core', { values: ['Thing'], types: [] }],
      ['services', { values: [], types: ['Thing'] }],
    ]);
    expect(() => gen.renderUmbrella(planted)).toThrow('Thing is exported by both core and services');
    const text = gen.renderUmbrella(new Map([['core', { values: ['A'], types: ['B'] }]]));
    expect(text).toContain("export {\n  A,\n} from '@llmdevops/docker-hub-core';");
    expect(text).toContain("export type {\n  B,\n} from '@llmdevops/docker-hub-core';");
  });
});
