#!/usr/bin/env node
// Checked-in entry for the `dhub` bin link: it exists before `pnpm build`, so pnpm links it on a
// fresh install; the built program is dist/cjs/dhub.cjs (or the ES module build, dist/bin/bin.js).
// This folder is CommonJS (./package.json): an ES module entry would start Node's ES module loader
// (a few ms of every run on Node 20) for a program that runs as one CommonJS file.
'use strict';

// `dhub --version` answers before the program is loaded: loading it is most of any command's
// start-up, and scripts call `--version` to probe for the tool.
const first = process.argv[2];
if (first === '--version' || first === '-V') {
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`dhub ${version}\n`);
} else {
  run();
}

function run() {
  // undici's HTTP parser is WebAssembly; V8 compiles it twice (baseline, then optimized in the
  // background), and the optimizing pass costs tens of MB of peak memory and tens of ms of CPU in a
  // process that usually lives a second (Node 24 even waits for it at exit). The baseline code
  // parses large blob bodies somewhat more slowly; BENCHMARKS.md compares both for a 256 MiB pull.
  // Set after start-up, V8 reads these when undici compiles the parser on its first request; they
  // are also set before the program is compiled, as V8 accepts a code cache (./code-cache.js) only
  // under the flags it was made with. `--liftoff-only` alone suffices on Node 20, but Node 24's V8
  // applies what a flag implies only at start-up, so the two tier-up flags say it directly.
  const v8 = require('node:v8');
  for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) {
    v8.setFlagsFromString(flag);
  }
  // The program runs as one CommonJS file with a V8 code cache of its own (./code-cache.js),
  // written when a command first succeeds, so it holds every function that command ran. Node
  // 22.1+'s compile cache (module.enableCompileCache) holds only what V8 compiled before the code
  // ran, so each run still compiled most functions on their first call: 10-15 ms more per command.
  // A copy of the program without dist/cjs (bin/ and dist/bin/ only) or without ./code-cache.js,
  // or a run with the cache turned off, runs the ES module build (under Node's compile cache where
  // Node has one and it is on).
  let codeCache;
  try {
    codeCache = require('./code-cache.js');
  } catch (err) {
    if (err?.code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (codeCache?.runWithCodeCache().ran === true) return;
  require('node:module').enableCompileCache?.();
  void import('../dist/bin/bin.js');
}
