#!/usr/bin/env node
// Stable entry for the `dhub` binary: exists before the build, so package managers can link it.
import '../dist/bin.js';
