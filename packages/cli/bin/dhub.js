#!/usr/bin/env node
// Checked-in entry for the `dhub` bin link: it exists before `pnpm build`, so pnpm links it on a
// fresh install; the built program is dist/bin/bin.js.
// Built-in modules come from `process.getBuiltinModule` (Node 20.16+), not ES imports: an ES import
// of a built-in reads all its exports, and on Node 22+ `node:fs`'s stream getters then load the
// fs streams, a few ms of every run (`dhub --version` included).
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;

// `dhub --version` answers before the program is loaded: loading it is most of any command's
// start-up, and scripts call `--version` to probe for the tool.
const first = process.argv[2];
if (first === '--version' || first === '-V') {
  const { readFileSync } = await builtin('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`dhub ${version}\n`);
} else {
  await run();
}

async function run() {
  // undici's HTTP parser is WebAssembly; V8 compiles it twice (baseline, then optimized in the
  // background), and the optimizing pass costs tens of MB of peak memory and tens of ms of CPU in a
  // process that usually lives a second (Node 24 even waits for it at exit). The baseline code
  // parses large blob bodies somewhat more slowly; BENCHMARKS.md compares both for a 256 MiB pull.
  // Set after start-up, V8 reads these when undici compiles the parser on its first request; they
  // are also set before the program is compiled, as V8 accepts a code cache (./code-cache.js) only
  // under the flags it was made with. `--liftoff-only` alone suffices on Node 20, but Node 24's V8
  // applies what a flag implies only at start-up, so the two tier-up flags say it directly.
  const v8 = await builtin('node:v8');
  for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) {
    v8.setFlagsFromString(flag);
  }
  // The program runs as one CommonJS file with a V8 code cache of its own (./code-cache.js),
  // written when a command first exits, so it holds every function that command ran. Node 22.1+'s
  // compile cache (module.enableCompileCache) holds only what V8 compiled before the code ran, so
  // each run still compiled most functions on their first call: 10-15 ms more per command.
  // A copy of the program without it (bin/dhub.js and dist/bin/ only), or with the cache turned
  // off, runs the ES module build, under Node's compile cache where there is one.
  const codeCache = await import('./code-cache.js').catch((err) => {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  });
  if (codeCache?.runWithCodeCache().ran === true) return;
  (await builtin('node:module')).enableCompileCache?.();
  await import('../dist/bin/bin.js');
}
