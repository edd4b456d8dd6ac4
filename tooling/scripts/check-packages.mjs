#!/usr/bin/env node
// Publish hygiene for every published package (house style C3), checked on the tarball that
// `pnpm pack` produces from the built dist/ (the exact bytes `changeset publish` would upload):
//   - package.json: ESM-only fields, `types` first in every export condition, files, engines,
//     publishConfig (public, provenance), repository, license, sideEffects (false except cli);
//   - the tarball holds dist/index.js, dist/index.d.ts, README.md and LICENSE, and no src/ or tests;
//   - `publint --strict` and `attw --profile esm-only` pass on the tarball.
// Prints one line per package and, for a failure, which check failed and the tool's output.
// Exits 1 on any problem.
//
// Usage: node tooling/scripts/check-packages.mjs [--out DIR [--pack-only] | --from DIR] [--only NAME[,NAME...]] [--root DIR]
//   --out DIR   keep the tarballs in DIR (the packaging tests install them); default: a temp dir, removed
//   --pack-only only pack into --out (no checks): what publishing would upload, for install tests
//   --from DIR  do not pack: check the tarballs an earlier --pack-only run left in DIR
//   --only      check only these packages (full names or folder names)
//   --root DIR  the workspace to check (default: this repository; the tests point it at a broken copy)
// Needs a build first (`pnpm build`). pnpm is taken from the running pnpm, PATH, or `npx -y pnpm@10`.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Where publint and attw are installed (this repository); the workspace checked may differ (--root).
const toolsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => join(toolsRoot, 'node_modules', '.bin', name);
let root = toolsRoot;

/** Parses `--out DIR` and `--only a,b`. */
function parseArgs(argv) {
  const args = {
    out: undefined,
    only: undefined,
    root: undefined,
    packOnly: false,
    from: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out') args.out = resolve(value());
    else if (arg === '--pack-only') args.packOnly = true;
    else if (arg === '--from') args.from = resolve(value());
    else if (arg === '--root') args.root = resolve(value());
    else if (arg === '--only') args.only = value().split(',').filter(Boolean);
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return args;
}

function usage(problem) {
  if (problem) console.error(`check-packages: ${problem}`);
  console.error(
    'usage: node tooling/scripts/check-packages.mjs [--out DIR [--pack-only] | --from DIR] [--only NAME[,NAME...]] [--root DIR]',
  );
  process.exit(problem ? 2 : 0);
}

/** The command that runs pnpm here: the pnpm running this script, `pnpm` on PATH, or npx. */
export function pnpmCommand(env = process.env) {
  const execpath = env.npm_execpath ?? '';
  if (/pnpm\.c?js$/.test(execpath) && existsSync(execpath)) return [process.execPath, execpath];
  const onPath = spawnSync('pnpm', ['--version'], { stdio: 'ignore', timeout: 30_000 });
  if (onPath.status === 0) return ['pnpm'];
  return ['npx', '-y', 'pnpm@10'];
}

/** Every workspace package that is published (not private), with its folder and manifest. */
function publishedPackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'package.json')))
    .map((d) => ({
      dir: join(dir, d),
      folder: d,
      pkg: JSON.parse(readFileSync(join(dir, d, 'package.json'), 'utf8')),
    }))
    .filter((p) => p.pkg.private !== true)
    .sort((a, b) => a.pkg.name.localeCompare(b.pkg.name));
}

/** The file name `pnpm pack` gives a package's tarball. */
export function tarballName(pkg) {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/** Problems with the package.json fields house style C3 requires. */
function manifestProblems({ pkg, folder }) {
  const problems = [];
  const need = (ok, what) => {
    if (!ok) problems.push(`package.json: ${what}`);
  };
  need(pkg.type === 'module', '"type" must be "module" (ESM-only)');
  need(
    typeof pkg.description === 'string' && pkg.description.length > 0,
    '"description" is missing',
  );
  need(pkg.license === 'MIT', '"license" must be "MIT"');
  need(pkg.sideEffects === (folder === 'cli'), `"sideEffects" must be ${folder === 'cli'}`);
  need(pkg.engines?.node === '>=20.19', '"engines.node" must be ">=20.19"');
  need(pkg.publishConfig?.access === 'public', '"publishConfig.access" must be "public"');
  need(pkg.publishConfig?.provenance === true, '"publishConfig.provenance" must be true');
  need(
    typeof pkg.repository?.url === 'string' && pkg.repository?.directory === `packages/${folder}`,
    `"repository" needs url and directory "packages/${folder}"`,
  );
  need(Array.isArray(pkg.keywords) && pkg.keywords.length > 0, '"keywords" is missing');
  need(Array.isArray(pkg.files) && pkg.files.includes('dist'), '"files" must list "dist"');
  const dot = pkg.exports?.['.'];
  need(dot !== null && typeof dot === 'object', '"exports" must have a "." entry with conditions');
  if (dot !== null && typeof dot === 'object') {
    need(Object.keys(dot)[0] === 'types', '"exports[\'.\']": "types" must be the first condition');
    need(!('require' in dot), '"exports[\'.\']": no "require" condition (ESM-only, style C3)');
  }
  need(
    pkg.exports?.['./package.json'] === './package.json',
    '"exports" must expose "./package.json"',
  );
  for (const [field, deps] of Object.entries({
    dependencies: pkg.dependencies,
    peerDependencies: pkg.peerDependencies,
  })) {
    for (const [dep, range] of Object.entries(deps ?? {})) {
      if (dep.startsWith('@llmdevops/') && range !== 'workspace:^')
        problems.push(`package.json: ${field}.${dep} must be "workspace:^" (got ${range})`);
    }
  }
  return problems;
}

/** Problems with the files a tarball holds. */
function contentProblems(tgz, pkg) {
  const list = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
  if (list.status !== 0) return [`tarball: cannot list ${tgz}: ${list.stderr}`];
  const files = new Set(
    list.stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, '')),
  );
  const problems = [];
  for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
    if (!files.has(f)) problems.push(`tarball: ${f} is missing`);
  }
  for (const target of Object.values(pkg.bin ?? {})) {
    if (!files.has(target.replace(/^\.\//, ''))) problems.push(`tarball: bin ${target} is missing`);
  }
  for (const f of files) {
    if (
      /^(src|test|coverage)\//.test(f) ||
      /\.test\.[cm]?[jt]s$/.test(f) ||
      f === 'test-results.json'
    ) {
      problems.push(`tarball: ${f} should not be published`);
    }
  }
  return problems;
}

/**
 * Loads `@arethetypeswrong/core`, the library behind the `attw` CLI (a root dev dependency), so
 * every tarball is checked in this process: TypeScript loads once instead of once per package.
 */
async function loadAttw() {
  const cli = realpathSync(
    join(toolsRoot, 'node_modules', '@arethetypeswrong', 'cli', 'package.json'),
  );
  const entry = createRequire(cli).resolve('@arethetypeswrong/core');
  return import(pathToFileURL(entry).href);
}

// `attw --profile esm-only` ignores these resolutions (a CommonJS `require` of an ESM-only package
// works on Node >= 20.19, and node10 resolution ignores `exports`).
const ESM_ONLY_IGNORED = new Set(['node10', 'node16-cjs']);

/** Problems `attw --profile esm-only` would report for a tarball. */
async function attwProblems(attw, tgz) {
  const pkg = attw.createPackageFromTarballData(new Uint8Array(readFileSync(tgz)));
  const analysis = await attw.checkPackage(pkg);
  if (!analysis.types) return ['attw --profile esm-only: the package ships no types'];
  return analysis.problems
    .filter((p) => !('resolutionKind' in p) || !ESM_ONLY_IGNORED.has(p.resolutionKind))
    .map((p) => {
      const where = [
        p.entrypoint && `entrypoint ${p.entrypoint}`,
        p.resolutionKind && `resolution ${p.resolutionKind}`,
        p.fileName,
      ]
        .filter(Boolean)
        .join(', ');
      return `attw --profile esm-only: ${p.kind}${where ? ` (${where})` : ''} — see https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems/${p.kind}.md`;
    });
}

// A pack that takes longer than this is stuck (e.g. `npx -y pnpm@10` waiting on the network).
const CHILD_TIMEOUT_MS = Number(process.env.CHECK_PACKAGES_TIMEOUT_MS ?? 180_000);

/**
 * Runs a command without blocking the event loop (stdin closed); resolves with its status and
 * output. A command still running after CHILD_TIMEOUT_MS is killed and reported as such.
 */
function run(cmd, args, options = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolveRun({ status: -1, output: `${output}${err.message}` });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const note = timedOut
        ? `\n${[cmd, ...args].join(' ')} was killed after ${CHILD_TIMEOUT_MS} ms`
        : '';
      resolveRun({ status: timedOut ? -1 : status, output: `${output}${note}` });
    });
  });
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of results. */
async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const indent = (text) =>
  text
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.root !== undefined) root = args.root;
  if (!existsSync(join(root, 'packages'))) usage(`${root} has no packages/ folder`);
  if (args.packOnly && args.out === undefined) usage('--pack-only needs --out DIR');
  if (args.from !== undefined && (args.out !== undefined || args.packOnly))
    usage('--from checks existing tarballs: no --out or --pack-only with it');
  if (args.from !== undefined && !existsSync(args.from))
    usage(`--from ${args.from} does not exist`);
  let packages = publishedPackages();
  if (args.only) {
    const unknown = args.only.filter(
      (n) => !packages.some((p) => p.pkg.name === n || p.folder === n),
    );
    if (unknown.length > 0) usage(`no published package ${unknown.join(', ')}`);
    packages = packages.filter(
      (p) => args.only.includes(p.pkg.name) || args.only.includes(p.folder),
    );
  }
  const out = args.from ?? args.out ?? mkdtempSync(join(tmpdir(), 'check-packages-'));
  mkdirSync(out, { recursive: true });
  const failures = new Map(packages.map((p) => [p.pkg.name, manifestProblems(p)]));

  // With --from the tarballs exist already (packed by an earlier --pack-only run): check those.
  const built =
    args.from !== undefined
      ? packages
      : packages.filter((p) => {
          const ok =
            existsSync(join(p.dir, 'dist', 'index.js')) &&
            existsSync(join(p.dir, 'dist', 'index.d.ts'));
          if (!ok) failures.get(p.pkg.name).push('dist/ is not built: run `pnpm build` first');
          return ok;
        });

  let packedOk = built.length > 0;
  if (built.length > 0 && args.from === undefined) {
    // One recursive pnpm pack: it rewrites `workspace:^` to the real versions, like publishing does.
    for (const p of built) rmSync(join(out, tarballName(p.pkg)), { force: true });
    const pnpm = pnpmCommand();
    const filters = built.flatMap((p) => ['--filter', p.pkg.name]);
    const packed = await run(pnpm[0], [
      ...pnpm.slice(1),
      '-r',
      ...filters,
      'pack',
      '--pack-destination',
      out,
    ]);
    if (packed.status !== 0) {
      packedOk = false;
      for (const p of built)
        failures.get(p.pkg.name).push(`pnpm pack failed:\n${indent(packed.output)}`);
    }
  }
  if (packedOk) {
    for (const p of built) {
      if (!existsSync(join(out, tarballName(p.pkg))))
        failures.get(p.pkg.name).push(`no tarball ${tarballName(p.pkg)} in ${out}`);
    }
  }
  if (packedOk && !args.packOnly) {
    const attw = await loadAttw();
    await mapLimit(built, 2, async (p) => {
      const tgz = join(out, tarballName(p.pkg));
      if (!existsSync(tgz)) return;
      const problems = failures.get(p.pkg.name);
      problems.push(...contentProblems(tgz, p.pkg));
      const publint = await run(bin('publint'), ['run', '--strict', tgz]);
      if (publint.status !== 0)
        problems.push(`publint --strict failed:\n${indent(publint.output)}`);
      try {
        problems.push(...(await attwProblems(attw, tgz)));
      } catch (err) {
        problems.push(
          `attw could not check ${tgz}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    });
  }
  if (args.out === undefined && args.from === undefined)
    rmSync(out, { recursive: true, force: true });

  let failed = 0;
  for (const p of packages) {
    const problems = failures.get(p.pkg.name);
    if (problems.length === 0) {
      console.log(`check-packages: ${args.packOnly ? 'packed' : 'ok  '} ${p.pkg.name}`);
    } else {
      failed++;
      console.error(`check-packages: FAIL ${p.pkg.name} (packages/${p.folder})`);
      for (const problem of problems) console.error(`  - ${problem}`);
    }
  }
  const passed = packages.length - failed;
  if (args.packOnly)
    console.log(
      `check-packages: ${passed} of ${packages.length} packages packed into ${out} (not checked: --pack-only)`,
    );
  else
    console.log(
      `check-packages: ${passed} of ${packages.length} packages pass publint --strict and attw --profile esm-only`,
    );
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
