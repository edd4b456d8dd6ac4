// tooling/scripts/check-packages.mjs fails on a broken package, naming it and the checks that
// failed. (That this repository's packages pass is asserted in pack-install.test.ts, which checks
// the tarballs it installs.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPackagesScript, repoRoot, run } from './helpers.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A one-package workspace whose package.json and tarball break several rules. */
function brokenWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'check-packages-broken-'));
  scratch.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'broken-root', private: true }));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  const dir = join(root, 'packages', 'broken');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.js'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'dist', 'index.d.ts'), 'export declare const x: number;\n');
  writeFileSync(join(dir, 'dist', 'index.test.js'), 'export {};\n');
  writeFileSync(join(dir, 'dist', 'extra.js'), 'export const y = 2;\n');
  const manifest = {
    name: '@llmdevops/docker-hub-broken',
    version: '1.2.3',
    description: 'a package that breaks the rules',
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    // `types` after `default`: TypeScript never reaches it.
    // `./extra` names a declaration file that is not there.
    exports: {
      '.': { default: './dist/index.js', types: './dist/index.d.ts' },
      './extra': { types: './dist/extra.d.ts', default: './dist/extra.js' },
    },
    files: ['dist'],
    engines: { node: '>=20.19' },
    publishConfig: { access: 'public' },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return root;
}

describe('check-packages.mjs', () => {
  it('fails on a broken package, naming it and each problem', async () => {
    const root = brokenWorkspace();
    const result = await run(process.execPath, [checkPackagesScript, '--root', root], {
      cwd: root,
      timeoutMs: 120_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, output).toBe(1);
    expect(output).toContain('check-packages: FAIL @llmdevops/docker-hub-broken (packages/broken)');
    expect(output).toContain('"types" must be the first condition');
    expect(output).toContain('"publishConfig.provenance" must be true');
    expect(output).toContain('"repository" needs url and directory "packages/broken"');
    expect(output).toContain('tarball: README.md is missing');
    expect(output).toContain('tarball: dist/index.test.js should not be published');
    expect(output).toMatch(/publint --strict failed:[\s\S]*types should be the first/);
    expect(output).toContain(
      'pkg.exports["./extra"].types is ./dist/extra.d.ts but the file does not exist',
    );
    expect(output).toContain(
      'attw --profile esm-only: UntypedResolution (entrypoint ./extra, resolution node16-esm)',
    );
    // The esm-only profile does not judge CommonJS resolution.
    expect(output).not.toContain('resolution node16-cjs');
    expect(output).toContain('0 of 1 packages pass');
  });

  it('refuses unknown arguments and packages with a usage message', async () => {
    const unknownArg = await run(process.execPath, [checkPackagesScript, '--frobnicate'], {
      cwd: repoRoot,
      timeoutMs: 30_000,
    });
    expect(unknownArg.status).toBe(2);
    expect(unknownArg.stderr).toContain('unknown argument --frobnicate');
    const unknownPackage = await run(process.execPath, [checkPackagesScript, '--only', 'nope'], {
      cwd: repoRoot,
      timeoutMs: 30_000,
    });
    expect(unknownPackage.status).toBe(2);
    expect(unknownPackage.stderr).toContain('no published package nope');
  });
});
