// Pack every published package (the tarballs `changeset publish` would upload), install them into
// a scratch ESM project and a scratch CommonJS project with npm (third-party dependencies come from
// the npm registry), and use them there: against the simulator, across packages (`instanceof`),
// through the `dhub` bin, and from TypeScript with `moduleResolution: node16`.
// tooling/scripts/check-packages.mjs packs them (`pnpm pack` rewrites `workspace:^` to real
// versions, as publishing does), then checks these same tarballs with publint --strict and
// attw --profile esm-only while npm installs them.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import {
  checkPackagesScript,
  fixturesDir,
  lastJsonLine,
  npmEnv,
  publishedPackages,
  repoRoot,
  run,
  tarballName,
  type RunResult,
} from './helpers.js';

const published = publishedPackages();
let work = '';
let esmDir = '';
let cjsDir = '';
let check: RunResult | undefined;

/** Creates a scratch project of the given module type with the fixture files in it. */
function scratchProject(
  name: string,
  type: 'module' | 'commonjs',
  files: readonly string[],
): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `scratch-${name}`, private: true, type }, null, 2)}\n`,
  );
  for (const file of files) copyFileSync(join(fixturesDir, file), join(dir, file));
  return dir;
}

/** `npm install` of the tarballs into a scratch project (no scripts, no audit, cache first). */
async function npmInstall(dir: string, tarballs: readonly string[]): Promise<void> {
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--no-package-lock',
    '--prefer-offline',
    '--loglevel=error',
    ...tarballs,
  ];
  const result = await run('npm', args, { cwd: dir, env: npmEnv(), timeoutMs: 240_000 });
  if (result.status !== 0)
    throw new Error(
      `npm install in ${dir} failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`,
    );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dhub-packaging-'));
  const tarballDir = join(work, 'tarballs');
  const pack = await run(
    process.execPath,
    [checkPackagesScript, '--out', tarballDir, '--pack-only'],
    { cwd: repoRoot, timeoutMs: 240_000 },
  );
  const tarballs = published.map((p) => join(tarballDir, tarballName(p.name, p.version)));
  const missing = tarballs.filter((t) => !existsSync(t));
  if (missing.length > 0) {
    throw new Error(
      `pnpm pack produced no ${missing.join(', ')} (is everything built?)\n${pack.stdout}\n${pack.stderr}`,
    );
  }
  esmDir = scratchProject('esm', 'module', [
    'scenario.cjs',
    'esm-consumer.mjs',
    'consumer.ts',
    'seeded-registry.mjs',
  ]);
  cjsDir = scratchProject('cjs', 'commonjs', ['scenario.cjs', 'cjs-consumer.js']);
  // publint/attw on the tarballs while npm installs them.
  [check] = await Promise.all([
    run(process.execPath, [checkPackagesScript, '--from', tarballDir], {
      cwd: repoRoot,
      timeoutMs: 240_000,
    }),
    npmInstall(esmDir, tarballs),
    npmInstall(cjsDir, tarballs),
  ]);
}, 480_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('published packages', () => {
  it('every one passes publint --strict and attw --profile esm-only (tooling/scripts/check-packages.mjs)', () => {
    const output = `${check?.stdout ?? ''}${check?.stderr ?? ''}`;
    expect(check?.status, output).toBe(0);
    for (const p of published) expect(output).toContain(`check-packages: ok   ${p.name}`);
    expect(output).toContain(`${published.length} of ${published.length} packages pass`);
  });

  it('are the eight packages of the toolkit, the umbrella among them', () => {
    expect(published.map((p) => p.folder).sort()).toEqual([
      'auth',
      'cli',
      'core',
      'docker-hub',
      'services',
      'simulation',
      'transport',
      'webhooks',
    ]);
    expect(published.find((p) => p.folder === 'docker-hub')?.name).toBe('@llmdevops/docker-hub');
  });

  it.each(['esm', 'cjs'])(
    'install from the tarballs in the %s project: real versions, one copy each',
    (kind) => {
      const nm = join(kind === 'esm' ? esmDir : cjsDir, 'node_modules');
      for (const p of published) {
        const installed = JSON.parse(readFileSync(join(nm, p.name, 'package.json'), 'utf8')) as {
          version: string;
          dependencies?: Record<string, string>;
        };
        expect(installed.version).toBe(p.version);
        for (const [dep, range] of Object.entries(installed.dependencies ?? {})) {
          expect(range, `${p.name} -> ${dep}`).not.toMatch(/^workspace:/);
          if (dep.startsWith('@llmdevops/')) {
            const depVersion = published.find((q) => q.name === dep)?.version;
            expect(range, `${p.name} -> ${dep}`).toBe(`^${String(depVersion)}`);
          }
        }
        // A nested copy of a workspace package would be a second DockerHubError class.
        const nested = join(nm, p.name, 'node_modules', '@llmdevops');
        expect(existsSync(nested) ? readdirSync(nested) : [], `${p.name} nests copies`).toEqual([]);
      }
    },
  );
});

/** The scenario's JSON line (fixtures/scenario.cjs). */
interface ScenarioResult {
  kind: string;
  manifestDigest: string;
  gotDigest: string;
  gotKind: string;
  layerDigest: string;
  layerText: string;
  tags: string[];
  error?: Record<string, unknown>;
}

// Concurrent tests assert with their own `expect` (vitest attributes failures per test that way).
function expectScenario(expect: ExpectStatic, result: RunResult, kind: 'esm' | 'cjs'): void {
  expect(result.status, result.stderr).toBe(0);
  const out = lastJsonLine(result) as ScenarioResult;
  const layerText = `layer pushed from the ${kind} consumer`;
  expect(out.kind).toBe(kind);
  expect(out.layerText).toBe(layerText);
  expect(out.layerDigest).toBe(`sha256:${createHash('sha256').update(layerText).digest('hex')}`);
  expect(out.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(out.gotDigest).toBe(out.manifestDigest);
  expect(out.gotKind).toBe('image');
  expect(out.tags).toEqual(['v1', 'v2']);
  expect(out.error).toEqual({
    name: 'NotFoundError',
    code: 'MANIFEST_UNKNOWN',
    instanceofUmbrellaDockerHubError: true,
    instanceofCoreDockerHubError: true,
    instanceofCoreNotFoundError: true,
    sameClassEverywhere: true,
  });
}

// Independent child processes: run them side by side.
describe.concurrent('consumers', () => {
  it('an ESM project imports the packages and pushes/reads through DockerHubClient against the simulator', async ({
    expect,
  }) => {
    const result = await run(process.execPath, ['esm-consumer.mjs'], {
      cwd: esmDir,
      timeoutMs: 60_000,
    });
    expectScenario(expect, result, 'esm');
  });

  it('a CommonJS project require()s the same packages (require(esm)) and gets the same results', async ({
    expect,
  }) => {
    const result = await run(process.execPath, ['cjs-consumer.js'], {
      cwd: cjsDir,
      timeoutMs: 60_000,
    });
    expectScenario(expect, result, 'cjs');
    expect(result.stderr).not.toMatch(/ERR_REQUIRE_(ESM|ASYNC_MODULE)/);
  });

  it('a TypeScript project with moduleResolution node16 type-checks against the public types', async ({
    expect,
  }) => {
    const tsconfig = {
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        lib: ['es2023'],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        // Our .d.ts files are checked by attw and by building them; msw's own need the DOM lib.
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(esmDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: esmDir,
      timeoutMs: 90_000,
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it("the cli tarball's dhub bin runs: --help, and a command against a registry", async ({
    expect,
  }) => {
    const dhub = join(esmDir, 'node_modules', '.bin', 'dhub');
    expect(existsSync(dhub)).toBe(true);
    const help = await run(process.execPath, [dhub, '--help'], { cwd: esmDir, timeoutMs: 30_000 });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: dhub COMMAND/m);
    for (const command of ['manifest', 'tags', 'pull', 'push', 'serve'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
    const version = await run(process.execPath, [dhub, '--version'], {
      cwd: esmDir,
      timeoutMs: 30_000,
    });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^dhub \d+\.\d+\.\d+/);

    // A registry with one repository and two tags, itself built from the installed tarballs.
    const registry = spawn(process.execPath, ['seeded-registry.mjs'], {
      cwd: esmDir,
      env: { ...npmEnv(), DOCKER_CONFIG: work },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = once(registry, 'close');
    try {
      let stderr = '';
      registry.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const lines = createInterface({ input: registry.stdout });
      const [first] = (await Promise.race([
        once(lines, 'line'),
        exited.then(() => [undefined]),
      ])) as [string | undefined];
      if (first === undefined) throw new Error(`seeded-registry.mjs exited early: ${stderr}`);
      const { host, digest } = JSON.parse(first) as { host: string; digest: string };

      const env = { ...npmEnv(), DOCKER_CONFIG: work, HOME: work };
      const tags = await run(process.execPath, [dhub, 'tags', `${host}/packaging/bin`], {
        cwd: esmDir,
        env,
        timeoutMs: 30_000,
      });
      expect(tags.status, tags.stderr).toBe(0);
      expect(tags.stdout.trim().split('\n')).toEqual(['one', 'two']);
      const dig = await run(process.execPath, [dhub, 'digest', `${host}/packaging/bin:two`], {
        cwd: esmDir,
        env,
        timeoutMs: 30_000,
      });
      expect(dig.status, dig.stderr).toBe(0);
      expect(dig.stdout.trim()).toBe(digest);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      registry.stdin.end();
      const guard = setTimeout(() => registry.kill('SIGKILL'), 15_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(guard);
      expect(code, 'seeded-registry.mjs stops cleanly when its stdin ends').toBe(0);
    }
  });
});
