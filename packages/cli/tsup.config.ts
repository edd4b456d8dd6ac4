import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

export default defineConfig([
  baseTsupOptions,
  { ...baseTsupOptions, entry: ['src/bin.ts'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } },
]);
