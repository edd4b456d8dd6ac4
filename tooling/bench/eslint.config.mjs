// ESLint for the benchmark: the shared rules where they apply to plain JavaScript. The shared
// config ignores *.mjs and its type-aware rules need types the .mjs files do not declare, so
// here the type-aware rules are off and Node's globals are declared. Run from the repository
// root: `npx eslint -c tooling/bench/eslint.config.mjs tooling/bench tooling/scripts/bench.mjs`.
import tseslint from 'typescript-eslint';
import shared from '../eslint/index.js';

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'Buffer',
    'URL',
    'URLSearchParams',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'console',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  ...shared,
  { ignores: ['!tooling/bench/**/*.mjs', '!tooling/scripts/bench.mjs'] },
  {
    files: ['tooling/bench/**/*.mjs', 'tooling/scripts/bench.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // one step per function: the suites were split so that none hides its steps
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
);
