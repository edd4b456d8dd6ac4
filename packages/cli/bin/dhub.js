#!/usr/bin/env node
// Checked-in entry for the `dhub` bin link: it exists before `pnpm build`, so pnpm links it on a
// fresh install; the built program is dist/bin/bin.js.
import module from 'node:module';

// Node 22.1+ keeps compiled code on disk between runs (in the OS temp directory unless
// NODE_COMPILE_CACHE says otherwise), which roughly halves the CLI's start-up; older Node lacks it.
module.enableCompileCache?.();
await import('../dist/bin/bin.js');
