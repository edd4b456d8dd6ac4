#!/usr/bin/env node
// `pnpm bench` launcher: runs the benchmarks of tooling/bench (plain .mjs over the built dist/ of
// the packages). `--smoke` runs tiny sizes with 3 iterations (for CI); `--out DIR` sets where
// results.json and results.md go (default bench-results/, gitignored).
await import('../bench/bench.mjs');
