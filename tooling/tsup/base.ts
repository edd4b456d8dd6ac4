import type { Options } from 'tsup';

/** Shared tsup options: ESM only, type declarations, Node 20 target (house style C5). */
export const baseTsupOptions: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
};
