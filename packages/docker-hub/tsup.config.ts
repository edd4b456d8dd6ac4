import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tooling/tsup/base.ts';

export default defineConfig(baseTsupOptions);
