#!/usr/bin/env node
// Where each `dhub` command's fixed cost goes. Runs `dhub --version`, `digest`, `manifest` and
// `pull` of a one-layer 8 MiB image against the real registry (token auth, then no auth; the
// bench's harness and credentials) under `node --cpu-prof`, and splits each profile into: Node's
// bootstrap and internal modules, native work outside JavaScript, compiling ES modules (our
// bundle's chunks), top-level evaluation of each bundled package, running the command, undici's
// WebAssembly parser compile, GC, and idle (waiting on the network or the disk). Wall time and
// peak RSS come from separate runs without the profiler (it slows what it watches).
//
// Each Node given runs every command once cold (a fresh code cache: the entry runs the CommonJS
// build with a code cache of its own, see packages/cli/bin/dhub.js and code-cache.js; without
// NODE_EXTRA_CA_CERTS unless BENCH_EXTRA_CA=keep, as the bench), then `--runs` times warm,
// alternating a profiled and an unprofiled run; the tables show medians of the warm runs.
// "compiling the program" is V8 compiling the ES module chunks, or reading the CommonJS file and
// its code cache and compiling it (`vm.Script`).
//
//   node tooling/scripts/profile-cli.mjs [--node PATH]... [--runs N] [--interval µs] [--json FILE]
//     [--keep DIR]   (DIR keeps the warm profiles, to open in Chrome DevTools)
//     [--cli DIR]    (profile a copy of the program made earlier, e.g. before a change: DIR holds
//                     bin/, package.json, dist/bin/ and, when built, dist/cjs/ as packages/cli
//                     does; default packages/cli)
//
// Needs a build (`npx -y pnpm@10 build`), `docker-registry` and /usr/bin/time (for peak RSS).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages/cli');
const BUNDLE = join(CLI, 'dist/bin');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
const sleep = (msT) => new Promise((r) => setTimeout(r, msT));
const round1 = (x) => Math.round(x * 10) / 10;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
};

function options() {
  const { values } = parseArgs({
    options: {
      node: { type: 'string', multiple: true },
      runs: { type: 'string', default: '5' },
      interval: { type: 'string', default: '200' },
      json: { type: 'string' },
      keep: { type: 'string' },
      cli: { type: 'string' },
    },
  });
  return {
    nodes: values.node ?? [process.execPath],
    runs: Number(values.runs),
    interval: Number(values.interval),
    json: values.json,
    keep: values.keep,
    cli: values.cli === undefined ? CLI : resolve(values.cli),
  };
}

// ---------------------------------------------------------------------------------------------
// Which package a position in the bundle belongs to. esbuild writes `// <path>` before most
// modules, but not before every one (the workspace packages' code follows the last comment of
// the chunk it lands in), so the source maps the build writes beside the bundle decide where they
// exist and the comments are the fallback.

const packageNames = new Map();

/** The package an absolute source path belongs to: `zod`, `@llmdevops/docker-hub-core`, ... */
function packageOf(absPath) {
  const nm = absPath.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = absPath.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const m = /\/packages\/([^/]+)\//.exec(absPath);
  if (m === null) return '?';
  if (!packageNames.has(m[1])) {
    const file = join(ROOT, 'packages', m[1], 'package.json');
    const name = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).name : m[1];
    packageNames.set(m[1], name);
  }
  return packageNames.get(m[1]);
}

/** Per line of a bundle file, the package named by the last `// <path>` comment above it. */
function commentPackages(text) {
  let current = '(chunk prelude)';
  return text.split('\n').map((line) => {
    const m = /^\/\/ ([^\s@][^\s]*)$/.exec(line);
    // esbuild's paths are relative to the directory it ran in (packages/cli)
    if (m !== null) current = packageOf(resolve(CLI, m[1]));
    return current;
  });
}

/**
 * The bundle files of the copy being run (the ES module chunks and, when built, the CommonJS
 * program), by URL; paths inside still resolve from BUNDLE (both builds sit two levels down).
 */
function loadBundle(dirs) {
  const files = new Map();
  const all = dirs
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))
        .map((f) => join(dir, f)),
    );
  for (const file of all) {
    const name = file.slice(file.lastIndexOf('/') + 1);
    const mapFile = `${file}.map`;
    const map = existsSync(mapFile)
      ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')))
      : undefined;
    files.set(pathToFileURL(file).href, {
      name,
      lines: commentPackages(readFileSync(file, 'utf8')),
      map,
    });
  }
  return files;
}

/** The package at 0-based `line`/`column` of a bundle file. */
function packageAt(file, line, column) {
  const entry = file.map?.findEntry(line, column);
  if (entry?.originalSource) {
    const src = entry.originalSource.startsWith('file:')
      ? fileURLToPath(entry.originalSource)
      : resolve(BUNDLE, entry.originalSource);
    return packageOf(src);
  }
  return file.lines[line] ?? '?';
}

// ---------------------------------------------------------------------------------------------
// One profile, split by category. A sample's time is the gap to the next sample.

const SPECIAL = {
  '(idle)': 'idle',
  '(garbage collector)': 'gc',
  '(program)': 'program',
  '(root)': 'program',
};

/** esbuild's wrapper of a CommonJS or lazily run module is named by the module's path. */
const isModuleWrapper = (name) => /\/[^/]+\.[cm]?[jt]s$/.test(name);
/**
 * An ES module's own top-level code shows as an unnamed function at its very start; the CommonJS
 * program's as the unnamed wrapper function code-cache.js puts around it on the file's first line.
 */
const isModuleBody = (f) =>
  f.functionName === '' && f.lineNumber === 0 && (f.columnNumber === 0 || f.url.endsWith('.cjs'));
/** V8 compiling the CommonJS program (with its code cache): the `vm.Script` constructor. */
const isScriptCompile = (n) => n.callFrame.functionName === 'Script' && n.callFrame.url === 'node:vm';

/**
 * The built-in module a sample is loading: the module body run by the outermost
 * `compileForInternalLoader` on the stack (its nested loads included), and what asked for it.
 */
function builtinOf(stack) {
  const j = stack.findLastIndex((n) => n.callFrame.functionName === 'compileForInternalLoader');
  const body = j > 0 ? stack[j - 1].callFrame.url : '';
  const by = stack.slice(j + 1).find((n) => !n.callFrame.url.includes('bootstrap/realm'));
  return `${body === '' ? '(compiling)' : body} for ${by?.callFrame.functionName || '?'}`;
}

/** Which part of Node a sample with no bundle code on its stack is in. */
function nodePart(stack) {
  const names = stack.map((n) => n.callFrame.functionName);
  if (names.includes('compileForInternalLoader')) return 'built-in modules loaded on demand';
  if (stack.some((n) => /internal\/modules\/esm\//.test(n.callFrame.url)))
    return 'ES module loader (resolve, read, link)';
  return 'bootstrap and other internals';
}

/**
 * esbuild's `__commonJS` wrapper runs a CommonJS module's body on first `require`; its own time
 * is mostly V8 compiling that body, so it goes to the package of the modules it ran from there.
 */
function requiredPackage(node, byId) {
  const pkgs = new Set(
    (node.children ?? [])
      .map((id) => byId.get(id).callFrame.functionName)
      .filter(isModuleWrapper)
      .map((name) => packageOf(resolve(CLI, name))),
  );
  return pkgs.size === 1 ? [...pkgs][0] : 'CommonJS modules on first require (esbuild runtime)';
}

/** The package of the innermost bundle frame of a sample. */
function framePackage(node, { bundle, byId }) {
  const f = node.callFrame;
  if (f.functionName === '__require2') return requiredPackage(node, byId);
  if (isModuleWrapper(f.functionName)) return packageOf(resolve(CLI, f.functionName));
  const pkg = packageAt(bundle.get(f.url), f.lineNumber, f.columnNumber);
  return pkg === '(chunk prelude)' ? 'esbuild runtime helpers' : pkg;
}

/**
 * What a sample (its stack, innermost frame first) was doing: `{ key }` for a category, plus the
 * package for bundle code; `top` while a module's top level is on the stack, else `run`.
 */
function classify(stack, ctx) {
  const { bundle } = ctx;
  const special = SPECIAL[stack[0].callFrame.functionName];
  if (special !== undefined) return { key: special };
  const names = stack.map((n) => n.callFrame.functionName);
  if (names.includes('lazyllhttp')) return { key: 'wasm' };
  if (names.includes('compileSourceTextModule') || stack.some(isScriptCompile)) return { key: 'compile' };
  // A built-in module being loaded goes to Node whoever asked for it: an ES import (no bundle
  // code on the stack) or the bundle's `process.getBuiltinModule` and `require` calls.
  if (names.includes('compileForInternalLoader'))
    return { key: 'node', pkg: nodePart(stack), builtin: builtinOf(stack) };
  const i = stack.findIndex((n) => bundle.has(n.callFrame.url));
  // code-cache.js reading the CommonJS program and its cache (or writing the cache at exit)
  if (i < 0 && stack.some((n) => n.callFrame.url.endsWith('/bin/code-cache.js'))) return { key: 'compile' };
  if (i < 0) {
    const builtin = names.includes('compileForInternalLoader') ? builtinOf(stack) : undefined;
    return { key: 'node', pkg: nodePart(stack), builtin };
  }
  const inits = stack.slice(i).map((n) => n.callFrame);
  const isInit = (f) => bundle.has(f.url) && (isModuleBody(f) || isModuleWrapper(f.functionName));
  const key = inits.some(isInit) ? 'top' : 'run';
  const f = stack[i].callFrame;
  if (isModuleBody(f)) {
    // a chunk's own statements: the leaf's line ticks say which module; a call into Node has none
    if (i === 0) return { key, body: stack[0] };
    return { key, pkg: `${bundle.get(f.url).name} top level, calling Node` };
  }
  return { key, pkg: framePackage(stack[i], ctx) };
}

/** Splits the time spent in a chunk's own top-level statements by the line ticks V8 recorded. */
function splitBodies(bodies, bundle, add) {
  for (const [node, us] of bodies) {
    const file = bundle.get(node.callFrame.url);
    const ticks = node.positionTicks ?? [];
    const total = ticks.reduce((a, t) => a + t.ticks, 0);
    if (total === 0) {
      add('top', `${file.name} top level`, us);
      continue;
    }
    // the last mapping on the line, as only the line is known
    for (const t of ticks) {
      const pkg = packageAt(file, t.line - 1, 1e6);
      add(
        'top',
        pkg === '(chunk prelude)' ? 'esbuild runtime helpers' : pkg,
        (us * t.ticks) / total,
      );
    }
  }
}

function stacks(profile, byId) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const cache = new Map();
  return (id) => {
    if (!cache.has(id)) {
      const s = [];
      for (let n = byId.get(id); n !== undefined; n = parent.get(n.id)) s.push(n);
      cache.set(id, s);
    }
    return cache.get(id);
  };
}

/** Milliseconds per category (`node`, `compile`, `top`, `top:zod`, `run:undici`, ...). */
function analyse(profile, bundle) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stackOf = stacks(profile, byId);
  const ctx = { bundle, byId };
  const ms = {};
  const add = (key, pkg, us) => {
    ms[key] = (ms[key] ?? 0) + us / 1000;
    if (pkg !== undefined) ms[`${key}:${pkg}`] = (ms[`${key}:${pkg}`] ?? 0) + us / 1000;
  };
  const bodies = new Map();
  let lastBundle = profile.endTime;
  let t = profile.startTime;
  const times = profile.timeDeltas.map((d) => (t += d));
  for (const [i, id] of profile.samples.entries()) {
    const next = i + 1 < times.length ? times[i + 1] : profile.endTime;
    const us = Math.max(0, next - times[i]);
    const c = classify(stackOf(id), ctx);
    if (c.key === 'top' || c.key === 'run') lastBundle = next;
    if (c.builtin !== undefined) add('builtin', c.builtin, us);
    if (c.body === undefined) add(c.key, c.pkg, us);
    else bodies.set(c.body, (bodies.get(c.body) ?? 0) + us);
  }
  splitBodies(bodies, bundle, add);
  return {
    spanMs: (profile.endTime - profile.startTime) / 1000,
    // from the last sample running our code to the end: closing connections, timers, exit
    exitMs: (profile.endTime - lastBundle) / 1000,
    ms,
  };
}

// ---------------------------------------------------------------------------------------------
// Running the commands.

const listing = (dir) =>
  readdirSync(dir)
    .map((f) => `${f} ${statSync(join(dir, f)).size}`)
    .join('\n');

/**
 * Copies the program (entry, package.json, bundle) to `dir` and returns the copy's entry: the
 * profiles then match the bundle they are read against even if packages/cli is rebuilt meanwhile
 * (tsup empties dist/bin first). The copy resolves nothing outside itself, like the published
 * package (its one optional peer is not installed beside packages/cli either).
 */
async function snapshotCli(dir, from = CLI) {
  const bundle = join(from, 'dist', 'bin');
  for (let attempt = 1; ; attempt++) {
    const before = existsSync(join(bundle, 'bin.js')) ? listing(bundle) : '';
    if (before !== '') {
      await rm(dir, { recursive: true, force: true });
      await cp(join(from, 'bin'), join(dir, 'bin'), { recursive: true });
      await cp(join(from, 'package.json'), join(dir, 'package.json'));
      await cp(bundle, join(dir, 'dist', 'bin'), { recursive: true });
      const cjs = join(from, 'dist', 'cjs');
      if (existsSync(cjs)) await cp(cjs, join(dir, 'dist', 'cjs'), { recursive: true });
      if (listing(bundle) === before) return join(dir, 'bin', 'dhub.js');
    }
    if (attempt === 30) throw new Error(`${bundle} is missing or keeps changing: build first`);
    log('packages/cli/dist/bin is being rebuilt: waiting 5 s');
    await sleep(5000);
  }
}

/**
 * One `dhub` process: wall time from here, peak RSS from /usr/bin/time, and with `profileDir`
 * the CPU profile it wrote. Output is read and dropped, as a script capturing it would.
 */
async function runOnce(node, args, { entry, env, profileDir, interval }) {
  const prof =
    profileDir === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', String(interval)];
  const argv = [node, ...prof, entry, ...args];
  const [cmd, cmdArgs] =
    TIME === undefined ? [node, argv.slice(1)] : [TIME, ['-f', 'peak-rss-kb %M', ...argv]];
  const t = process.hrtime.bigint();
  const child = spawn(cmd, cmdArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
  const code = await new Promise((r) => child.once('exit', r));
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (code !== 0) throw new Error(`dhub ${args.join(' ')} failed (${code}):\n${err}`);
  const kb = /peak-rss-kb (\d+)/.exec(err)?.[1];
  const out = { wallMs, peakRssMb: kb === undefined ? undefined : round1(Number(kb) / 1024) };
  if (profileDir !== undefined) {
    const [file] = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
    out.profile = JSON.parse(await readFile(join(profileDir, file), 'utf8'));
  }
  return out;
}

/** Medians over the warm runs of every category any of them has. */
function summariseRuns(runs, analyses) {
  const keys = new Set(analyses.flatMap((a) => Object.keys(a.ms)));
  const ms = {};
  for (const k of keys) ms[k] = round1(median(analyses.map((a) => a.ms[k] ?? 0)));
  return {
    wallMs: round1(median(runs.map((r) => r.wallMs))),
    peakRssMb: TIME === undefined ? undefined : median(runs.map((r) => r.peakRssMb)),
    spanMs: round1(median(analyses.map((a) => a.spanMs))),
    exitMs: round1(median(analyses.map((a) => a.exitMs))),
    ms,
  };
}

/**
 * One command on one Node: a cold run (fresh compile cache, in a TMPDIR of its own as the entry
 * keeps the cache under the OS temp directory), then `runs` warm rounds of a profiled and an
 * unprofiled run. Each pull writes into a fresh directory.
 */
async function profileCommand(node, cmd, opts) {
  const scratch = await mkdtemp(join(tmpdir(), 'profile-cli-'));
  // The bench's start-up suite decides whether NODE_EXTRA_CA_CERTS reaches the Node runs.
  const { NODE_RUN_ENV } = await import('../bench/suites/startup.mjs');
  const env = { ...process.env, ...NODE_RUN_ENV, TMPDIR: scratch };
  delete env.NODE_COMPILE_CACHE;
  let n = 0;
  const once = async (profiled) => {
    const dir = join(scratch, `pull-${n++}`);
    const profileDir = profiled ? join(scratch, `prof-${n}`) : undefined;
    if (profileDir !== undefined) await mkdir(profileDir);
    const r = await runOnce(node, cmd.dhub(dir), {
      entry: opts.entry,
      env,
      profileDir,
      interval: opts.interval,
    });
    await rm(dir, { recursive: true, force: true });
    return r;
  };
  try {
    const cold = await once(false);
    const warm = [];
    const analyses = [];
    for (let k = 0; k < opts.runs; k++) {
      const { profile } = await once(true);
      analyses.push(analyse(profile, opts.bundle));
      if (opts.keep !== undefined) {
        await mkdir(opts.keep, { recursive: true });
        const name = `${cmd.name}-${k}.cpuprofile`.replace(/[^\w.-]+/g, '_');
        await writeFile(join(opts.keep, name), JSON.stringify(profile));
      }
      warm.push(await once(false));
    }
    return { coldWallMs: round1(cold.wallMs), ...summariseRuns(warm, analyses) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Targets, the tables and main.

/** The token-auth and the open registry, each holding the small image; credentials as the bench. */
async function startTargets(workDir, entry, cleanups) {
  const { dockerConfigDir, startRegistry } = await import('../bench/registry.mjs');
  process.env.DOCKER_CONFIG = await dockerConfigDir();
  cleanups.push(() => rm(process.env.DOCKER_CONFIG, { recursive: true, force: true }));
  const { pushSmallImage, SMALL_IMAGE_BYTES, startupCommands } =
    await import('../bench/suites/startup.mjs');
  const targets = [];
  for (const [label, auth] of [
    ['token auth', 'token'],
    ['no auth', 'none'],
  ]) {
    const reg = await startRegistry({ auth });
    cleanups.push(() => reg.stop());
    const ref = await pushSmallImage(reg.host, workDir, entry);
    // `--version` never reaches a registry: measured once, with the first
    const commands = startupCommands(ref).filter(
      (c) => targets.length === 0 || c.id !== '--version',
    );
    targets.push({ label, commands });
  }
  return { targets, imageBytes: SMALL_IMAGE_BYTES };
}

const FIXED_ROWS = [
  ['wallMs', 'wall ms, warm (no profiler)'],
  ['coldWallMs', 'wall ms, first run (empty compile cache)'],
  ['peakRssMb', 'peak RSS MB, warm'],
  ['spanMs', 'profiled ms (profiler start to exit)'],
  ['exitMs', 'of which after our code last ran (closing, exit)'],
];
const CATEGORY_ROWS = [
  ['node', 'Node bootstrap and internal modules (loader, builtins)'],
  ['program', 'native, outside JavaScript (V8, Node C++)'],
  ['compile', 'compiling the program (ES modules; or reading the CommonJS file and its code cache)'],
  ['top', 'top-level evaluation of the bundle'],
  ['run', 'running the command (bundle code after loading)'],
  ['wasm', "undici's WebAssembly parser compile (`lazyllhttp`)"],
  ['gc', 'GC'],
  ['idle', 'idle (waiting on the network or the disk)'],
];

/** The packages of a phase worth a row (0.5 ms or more in some command), largest first. */
function packageRows(results, phase) {
  const max = new Map();
  for (const r of results)
    for (const [k, v] of Object.entries(r.ms))
      if (k.startsWith(`${phase}:`)) max.set(k, Math.max(max.get(k) ?? 0, v));
  return [...max]
    .filter(([, v]) => v >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => [k, `&nbsp;&nbsp;${k.slice(phase.length + 1)}`]);
}

/** The built-in modules that took longest to load in one command, as `name (ms)`. */
function largestBuiltins(r) {
  const list = Object.entries(r.ms)
    .filter(([k, v]) => k.startsWith('builtin:') && v >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, v]) => `${k.slice('builtin:'.length)} ${v} ms`);
  return list.length === 0 ? 'none above 0.5 ms' : list.join('; ');
}

function nodeTable(version, label, results) {
  const rows = [...FIXED_ROWS];
  for (const [key, name] of CATEGORY_ROWS) {
    rows.push([key, name]);
    if (['node', 'top', 'run'].includes(key)) rows.push(...packageRows(results, key));
  }
  const cell = (r, key) => (key in r ? (r[key] ?? 'n/a') : (r.ms[key] ?? 0));
  return [
    `#### Node ${version}, ${label} (ms unless stated; medians of the warm runs)`,
    '',
    `| | ${results.map((r) => `\`dhub ${r.command}\``).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
    ...rows.map(([key, name]) => `| ${name} | ${results.map((r) => cell(r, key)).join(' | ')} |`),
    '',
    ...results.map(
      (r) => `- \`dhub ${r.command}\`, built-in modules loaded: ${largestBuiltins(r)}`,
    ),
    '',
  ];
}

function markdown(report) {
  const load = (l) => l.map((x) => x.toFixed(2)).join(' / ');
  const lines = [
    `${report.date}; load average ${load(report.loadStart)} at start, ${load(report.loadEnd)} at the end; ${report.runs} warm runs per command (one cold before them), sampling every ${report.interval} µs; one-layer ${report.imageBytes / 1024} KiB image on the real registry.`,
    '',
  ];
  for (const n of report.nodes)
    for (const t of n.targets) lines.push(...nodeTable(n.version, t.label, t.results));
  return `${lines.join('\n')}\n`;
}

async function main() {
  const opts = options();
  const workDir = await mkdtemp(join(tmpdir(), 'profile-cli-work-'));
  const cleanups = [() => rm(workDir, { recursive: true, force: true })];
  opts.entry = await snapshotCli(join(workDir, 'cli'), opts.cli);
  opts.bundle = loadBundle(['bin', 'cjs'].map((d) => join(workDir, 'cli', 'dist', d)));
  const report = {
    date: new Date().toISOString(),
    loadStart: loadavg(),
    runs: opts.runs,
    interval: opts.interval,
    nodes: [],
  };
  try {
    const { targets, imageBytes } = await startTargets(workDir, opts.entry, cleanups);
    report.imageBytes = imageBytes;
    for (const node of opts.nodes) {
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      const entry = { version, targets: [] };
      for (const t of targets) {
        const results = [];
        for (const cmd of t.commands) {
          log(`${version} ${t.label} dhub ${cmd.id}`);
          const named = { ...cmd, name: `${version}-${t.label}-${cmd.id}` };
          results.push({ command: cmd.id, ...(await profileCommand(node, named, opts)) });
        }
        entry.targets.push({ label: t.label, results });
      }
      report.nodes.push(entry);
    }
    report.loadEnd = loadavg();
    if (opts.json !== undefined) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(markdown(report));
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch((e) => log(`cleanup: ${e.message}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`profile-cli failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
