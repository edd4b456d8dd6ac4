// bin/dhub.js runs dhub's CommonJS build (dist/cjs/dhub.cjs) through bin/code-cache.js with a V8
// code cache on disk (BENCHMARKS.md, "Start-up cost per command"). These tests run it in child
// processes: the cache is written at exit and used by the next run of the same command, a cache
// V8 rejects or others may write is replaced, an unusable directory only means no cache, a new
// build or version gets its own file, and the output is the ES module build's.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../bin/dhub.js', import.meta.url));
const CODE_CACHE = fileURLToPath(new URL('../bin/code-cache.js', import.meta.url));
const PROGRAM = fileURLToPath(new URL('../dist/cjs/dhub.cjs', import.meta.url));

/** The bin folder is CommonJS (a checked-in JavaScript file without declarations). */
const { codeCacheDir: typedCodeCacheDir, commandOf: typedCommandOf } = createRequire(import.meta.url)(
  '../bin/code-cache.js',
) as {
  codeCacheDir: (env: NodeJS.ProcessEnv) => string | undefined;
  commandOf: (args: readonly string[]) => string;
};

let work: string;
let probe: string;

/** A copy of the package's layout (package.json, dist/cjs/dhub.cjs and its key) in `dir`. */
function copyProgram(dir: string, version: string, key?: string): string {
  mkdirSync(join(dir, 'dist', 'cjs'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version }));
  const program = join(dir, 'dist', 'cjs', 'dhub.cjs');
  copyFileSync(PROGRAM, program);
  if (key === undefined) copyFileSync(`${PROGRAM}.key`, `${program}.key`);
  else writeFileSync(`${program}.key`, `${key}\n`);
  return program;
}

interface ProbeRun {
  status: number | null;
  stdout: string;
  cache: string | undefined;
}

/** Runs `dhub ARGS` through runWithCodeCache in a child process; reads what it answered. */
function runProbe(program: string, cacheDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ProbeRun {
  const run: SpawnSyncReturns<string> = spawnSync(
    process.execPath,
    [probe, program, cacheDir, ...args],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  const cache = /^CODE-CACHE (\w+)$/m.exec(run.stderr)?.[1];
  return { status: run.status, stdout: run.stdout, cache };
}

/** The cache files in a directory. */
function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : [];
}

/** The commands the cache files in a directory are kept for, sorted. */
function cachedCommands(dir: string): string[] {
  const marker = `-${process.version}-${process.arch}-`;
  return cacheFiles(dir)
    .map((f) => f.slice(f.indexOf(marker) + marker.length, -'.v8cache'.length))
    .sort();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dhub-code-cache-'));
  probe = join(work, 'probe.mjs');
  writeFileSync(
    probe,
    [
      `import { runWithCodeCache } from ${JSON.stringify(CODE_CACHE)};`,
      `const [program, cacheDir] = process.argv.splice(2, 2);`,
      `const result = runWithCodeCache({ program, cacheDir });`,
      `process.on('exit', () => process.stderr.write('CODE-CACHE ' + result.cache + '\\n'));`,
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('dhub on a V8 code cache (bin/code-cache.js)', () => {
  it('writes the cache when the command exits (file 0600 in a 0700 directory) and uses it on the next run', () => {
    const dir = join(work, 'first', 'dhub');
    const first = runProbe(PROGRAM, dir, ['--help']);
    expect(first).toMatchObject({ status: 0, cache: 'none' });
    expect(first.stdout).toMatch(/^usage: dhub COMMAND/m);
    const files = cacheFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^0\.0\.0-[0-9a-f]{32}-v\d+\.\d+\.\d+-\w+-none\.v8cache$/);
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, files[0] ?? '')).mode & 0o777).toBe(0o600);
    }
    const second = runProbe(PROGRAM, dir, ['--help']);
    expect(second).toMatchObject({ status: 0, cache: 'used', stdout: first.stdout });
  });

  it('keeps one cache file per command, and one for a command’s help, each used by its own', () => {
    const dir = join(work, 'per-command');
    // `logout` of a host without credentials succeeds without a network.
    const env = { DOCKER_CONFIG: join(work, 'per-command-docker') };
    expect(runProbe(PROGRAM, dir, ['--help']).cache).toBe('none');
    expect(runProbe(PROGRAM, dir, ['logout', '127.0.0.1:1'], env)).toMatchObject({ status: 0, cache: 'none' });
    expect(runProbe(PROGRAM, dir, ['logout', '--help'])).toMatchObject({ status: 0, cache: 'none' });
    expect(cachedCommands(dir)).toEqual(['logout', 'logout-help', 'none']);
    expect(runProbe(PROGRAM, dir, ['logout', '127.0.0.1:1'], env)).toMatchObject({ status: 0, cache: 'used' });
    expect(runProbe(PROGRAM, dir, ['logout', '-h'])).toMatchObject({ status: 0, cache: 'used' });
  });

  it('writes no cache for a command that failed; the next run of it that succeeds does', () => {
    const dir = join(work, 'failed');
    const env = { DOCKER_CONFIG: join(work, 'failed-docker') };
    for (let i = 0; i < 2; i++) {
      expect(runProbe(PROGRAM, dir, ['logout', '--bogus'])).toMatchObject({ status: 2, cache: 'none' });
      expect(cacheFiles(dir)).toEqual([]);
    }
    expect(runProbe(PROGRAM, dir, ['logout', '127.0.0.1:1'], env)).toMatchObject({ status: 0, cache: 'none' });
    expect(cachedCommands(dir)).toEqual(['logout']);
    expect(runProbe(PROGRAM, dir, ['logout', '--bogus'])).toMatchObject({ status: 2, cache: 'used' });
  });

  it('replaces a cache V8 rejects, and the command still runs', () => {
    const dir = join(work, 'corrupt');
    runProbe(PROGRAM, dir, ['--help']);
    const [file = ''] = cacheFiles(dir);
    writeFileSync(join(dir, file), Buffer.alloc(4096, 7), { mode: 0o600 });
    const run = runProbe(PROGRAM, dir, ['--help']);
    expect(run).toMatchObject({ status: 0, cache: 'rejected' });
    expect(run.stdout).toMatch(/^usage: dhub COMMAND/m);
    expect(runProbe(PROGRAM, dir, ['--help']).cache).toBe('used');
  });

  it('does not trust a cache file others may write: it runs without it and replaces it', () => {
    const dir = join(work, 'writable');
    runProbe(PROGRAM, dir, ['--help']);
    const [file = ''] = cacheFiles(dir);
    chmodSync(join(dir, file), 0o666);
    expect(runProbe(PROGRAM, dir, ['--help'])).toMatchObject({ status: 0, cache: 'none' });
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(runProbe(PROGRAM, dir, ['--help']).cache).toBe('used');
  });

  it('runs without a cache where none can be written (the directory is a file)', () => {
    const blocker = join(work, 'blocker');
    writeFileSync(blocker, 'not a directory');
    const dir = join(blocker, 'dhub');
    for (let i = 0; i < 2; i++) {
      const run = runProbe(PROGRAM, dir, ['--help']);
      expect(run).toMatchObject({ status: 0, cache: 'none' });
      expect(run.stdout).toMatch(/^usage: dhub COMMAND/m);
    }
    expect(statSync(blocker).isFile()).toBe(true);
  });

  it('gives another build or version a cache of its own and removes other builds’ files unused for a week', () => {
    const dir = join(work, 'builds');
    const a = copyProgram(join(work, 'a'), '1.0.0');
    const b = copyProgram(join(work, 'b'), '1.0.1');
    const c = copyProgram(join(work, 'c'), '1.0.1', 'f'.repeat(64));
    expect(runProbe(a, dir, ['--help']).cache).toBe('none');
    expect(runProbe(a, dir, ['--help']).cache).toBe('used');
    expect(runProbe(b, dir, ['--help']).cache).toBe('none');
    expect(cacheFiles(dir)).toHaveLength(2);
    const old = cacheFiles(dir).find((f) => f.startsWith('1.0.0-')) ?? '';
    const weekAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    utimesSync(join(dir, old), weekAgo, weekAgo);
    expect(runProbe(c, dir, ['--help']).cache).toBe('none');
    const left = cacheFiles(dir);
    expect(left).toHaveLength(2);
    expect(left).not.toContain(old);
    expect(left.some((f) => f.startsWith(`1.0.1-${'f'.repeat(32)}-`))).toBe(true);
  });

  it('a copy of the program without code-cache.js and dist/cjs (bin/ and dist/bin only) runs the ES module build', () => {
    const copy = join(work, 'copy');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    copyFileSync(ENTRY, join(copy, 'bin', 'dhub.js'));
    copyFileSync(fileURLToPath(new URL('../bin/package.json', import.meta.url)), join(copy, 'bin', 'package.json'));
    copyFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), join(copy, 'package.json'));
    cpSync(fileURLToPath(new URL('../dist/bin', import.meta.url)), join(copy, 'dist', 'bin'), { recursive: true });
    const run = spawnSync(process.execPath, [join(copy, 'bin', 'dhub.js'), '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: dhub COMMAND/m);
  });

  it('answers ran: false for a program that is not there (bin/dhub.js then runs the ES module build)', () => {
    const run = runProbe(join(work, 'missing', 'dhub.cjs'), join(work, 'missing-cache'), ['--help']);
    expect(run.cache).toBe('none');
    expect(run.stdout).toBe('');
    expect(cacheFiles(join(work, 'missing-cache'))).toEqual([]);
  });

  it('names the cache directory after Node’s (NODE_COMPILE_CACHE, else the temp directory) and turns off with NODE_DISABLE_COMPILE_CACHE', () => {
    const uid = process.getuid?.();
    const leaf = uid === undefined ? 'dhub' : `dhub-${uid}`;
    expect(typedCodeCacheDir({ NODE_COMPILE_CACHE: '/x/cache' })).toBe(join('/x/cache', leaf));
    expect(typedCodeCacheDir({})).toBe(join(tmpdir(), 'node-compile-cache', leaf));
    expect(typedCodeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(typedCodeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '0' })).toBe(join(tmpdir(), 'node-compile-cache', leaf));
  });

  it('keys the cache by the first argument that looks like a command, and by whether its help is asked for', () => {
    expect(typedCommandOf(['--debug', 'digest', 'alpine'])).toBe('digest');
    expect(typedCommandOf(['webhook', 'listen'])).toBe('webhook');
    expect(typedCommandOf(['--help'])).toBe('none');
    expect(typedCommandOf(['../x', 'A'])).toBe('none');
    expect(typedCommandOf(['tags', 'alpine', '--help'])).toBe('tags-help');
    expect(typedCommandOf(['-h', 'pull'])).toBe('pull-help');
    expect(typedCommandOf(['pull', '--helpful'])).toBe('pull');
  });
});

describe('bin/dhub.js', () => {
  /** `dhub ARGS` through the entry; which build ran, read from the built-ins it loaded. */
  function viaEntry(args: readonly string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string; vm: boolean } {
    const hook = `process.on('exit', () => process.stderr.write('VM ' + process.moduleLoadList.includes('NativeModule vm') + '\\n'));`;
    const run = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ENTRY, ...args],
      { encoding: 'utf8', env: { ...process.env, ...env } },
    );
    return { status: run.status, stdout: run.stdout, stderr: run.stderr.replace(/^VM \w+\n/m, ''), vm: /^VM true$/m.test(run.stderr) };
  }
  it('runs the CommonJS build with the cache, and the ES module build with the cache turned off, with the same output and exit codes', () => {
    const docker = { DOCKER_CONFIG: join(work, 'entry-docker') };
    const env = { ...docker, NODE_COMPILE_CACHE: join(work, 'entry') };
    const off = { ...docker, NODE_DISABLE_COMPILE_CACHE: '1' };
    for (const args of [['--help'], ['logout', '127.0.0.1:1'], ['digest'], ['copy', 'a/b', 'c/d', '--all-tags', '--semver', 'not a range']]) {
      const cached = viaEntry(args, env);
      const plain = viaEntry(args, off);
      expect(cached.vm).toBe(true);
      expect(plain.vm).toBe(false);
      expect({ status: cached.status, stdout: cached.stdout, stderr: cached.stderr }).toEqual({ status: plain.status, stdout: plain.stdout, stderr: plain.stderr });
    }
    const uid = process.getuid?.();
    const files = cacheFiles(join(work, 'entry', uid === undefined ? 'dhub' : `dhub-${uid}`));
    // The two commands that failed (usage errors) wrote none.
    expect(files.length).toBe(2);
  });
});
