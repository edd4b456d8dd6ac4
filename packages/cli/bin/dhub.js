#!/usr/bin/env node
// Checked-in entry for the `dhub` bin link: it exists before `pnpm build`, so pnpm links it on a
// fresh install; the built program is dist/bin/bin.js.
import '../dist/bin/bin.js';
