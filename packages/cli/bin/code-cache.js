// Without a cache, Node compiles dhub's chunks on every run (35-50 ms of each command on Node 20,
// which has no compile cache, BENCHMARKS.md); Node 22.1+'s compile cache keeps only what V8
// compiled before the code ran, so functions are still compiled on their first call in every run.
// This file runs the same program built as one CommonJS file (dist/cjs/dhub.cjs, tsup.config.ts)
// through `vm.Script` with V8's code cache kept on disk, made when a command succeeds.
// bin/dhub.js loads it on every Node.
//
// The cache lives where Node 22 keeps its own (NODE_COMPILE_CACHE, else the OS temp directory's
// node-compile-cache), in a directory of the user's own (mode 0700): a cache file is read only when
// it is the user's and writable by no one else, and written only into a directory that is.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's. Its file
// name holds the package version, the SHA-256 of the program written at build time, and Node's
// version and architecture, so a cache never serves another program or another Node, and the
// command's name: a cache is written when the process exits after the command succeeded, so it
// holds the functions that command compiled (V8 compiles functions on first call), and `digest`
// and `pull` compile different code (as does a command's `--help`, which has a file of its own).
// It is written once per command, to a temporary file renamed into place; writing one also
// removes the files of other builds unused for a week. Any failure (no cache yet, a cache V8
// rejects, an unwritable directory) only means running without it. With the cache turned off
// bin/dhub.js runs the ES module build, which costs less to compile than the whole file.
'use strict';

/**
 * Where the code cache is kept, or undefined when it is turned off.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
function codeCacheDir(env = process.env) {
  const off = env['NODE_DISABLE_COMPILE_CACHE'];
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  const { join } = require('node:path');
  const root = env['NODE_COMPILE_CACHE'] || join(require('node:os').tmpdir(), 'node-compile-cache');
  const uid = process.getuid?.();
  return join(root, uid === undefined ? 'dhub' : `dhub-${uid}`);
}

/**
 * Whether a directory or file may be trusted: on POSIX owned by this user and writable by no one
 * else (a cache is code V8 runs).
 * @param {{ uid: number, mode: number }} stat
 */
function ours(stat) {
  const uid = process.getuid?.();
  return uid === undefined || (stat.uid === uid && (stat.mode & 0o022) === 0);
}

/**
 * Reads a cache file, or undefined when there is none or it is not to be trusted.
 * @param {string} file
 * @returns {Buffer | undefined}
 */
function readCache(file) {
  const fs = require('node:fs');
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    if (!ours(fs.fstatSync(fd))) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes a cache file atomically (a temporary file renamed into place) and removes the files of
 * other builds (names not starting with `keep`) and temporary files left by a crash, unused for a
 * week; never throws.
 * @param {string} dir
 * @param {string} file
 * @param {Buffer} data
 * @param {string} keep
 * @returns {boolean} whether the file was written
 */
function writeCache(dir, file, data, keep) {
  const fs = require('node:fs');
  const { join } = require('node:path');
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ours(fs.statSync(dir))) return false;
    fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(keep) && !name.endsWith('.tmp')) continue;
      const old = join(dir, name);
      const { atimeMs, mtimeMs } = fs.statSync(old);
      if (now - Math.max(atimeMs, mtimeMs) > WEEK_MS) fs.rmSync(old, { force: true });
    }
    return true;
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing more to clean
    }
    return false;
  }
}

/**
 * The command a cache file is kept for: the first argument that looks like a command's name, with
 * `-help` added when the command's help is asked for (printing it runs other code than the
 * command does).
 * @param {readonly string[]} args
 */
function commandOf(args) {
  const command = args.find((arg) => /^[a-z][a-z0-9-]{0,31}$/.test(arg));
  if (command === undefined) return 'none';
  return args.some((arg) => arg === '--help' || arg === '-h') ? `${command}-help` : command;
}

/**
 * Runs the CommonJS build of dhub with V8's code cache.
 * @param {{ program?: string, cacheDir?: string | undefined, args?: readonly string[] }} [options]
 *   the program file (default: this package's dist/cjs/dhub.cjs), the cache directory (default:
 *   codeCacheDir()) and the command line (default: the process's)
 * @returns {{ ran: boolean, cache: 'used' | 'rejected' | 'none' | 'off' }} ran is false when the
 *   cache is turned off or the program was not found (bin/dhub.js then runs the ES module build)
 */
function runWithCodeCache(options = {}) {
  const fs = require('node:fs');
  const { dirname, join } = require('node:path');
  const program = options.program ?? join(__dirname, '..', 'dist', 'cjs', 'dhub.cjs');
  const dir = 'cacheDir' in options ? options.cacheDir : codeCacheDir();
  if (dir === undefined) return { ran: false, cache: 'off' };
  let source;
  let key;
  let version;
  try {
    // ASCII only (tsup.config.ts): latin1 is the same text, decoded faster than UTF-8.
    source = fs.readFileSync(program, 'latin1');
    key = fs.readFileSync(`${program}.key`, 'utf8').trim();
    const pkg = JSON.parse(fs.readFileSync(join(dirname(program), '../../package.json'), 'utf8'));
    version = typeof pkg.version === 'string' ? pkg.version : '0';
  } catch {
    return { ran: false, cache: 'none' };
  }
  const safe = (/** @type {string} */ s) => s.replace(/[^\w.+-]/g, '_');
  const build = safe(`${version}-${key.slice(0, 32)}-`);
  const command = commandOf(options.args ?? process.argv.slice(2));
  const file = join(dir, `${build}${safe(`${process.version}-${process.arch}-${command}`)}.v8cache`);
  const cachedData = readCache(file);
  const vm = require('node:vm');
  // Node's own CommonJS wrapper, on the program's first line so its lines keep their numbers.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) { ${source}\n})`,
    { filename: program, cachedData },
  );
  const cache =
    cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  // Only a command that succeeded writes its cache: the cache holds the functions the run
  // compiled, and it is written once, so a run that stopped early (a usage error, an unreachable
  // registry) would leave every later run of the command compiling the rest again.
  if (cache !== 'used') {
    process.once('exit', (code) => {
      if (code === 0) writeCache(dir, file, script.createCachedData(), build);
    });
  }
  const module = { exports: {}, filename: program, id: '.', loaded: false };
  const run = script.runInThisContext();
  run.call(
    module.exports,
    module.exports,
    require('node:module').createRequire(program),
    module,
    program,
    dirname(program),
  );
  return { ran: true, cache };
}

module.exports = { codeCacheDir, writeCache, commandOf, runWithCodeCache };
