// Shared flat ESLint config: type-aware strict rules, bans on `any`, non-null assertions and
// floating promises, and no reaching into another package's src/dist. It covers the packages'
// src/ and test/ folders, tooling/ and every plain JavaScript file (.js, .mjs, .cjs); each package's
// `lint` script names its folders and the root `lint` script runs tooling/ and this config.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Node's globals for plain JavaScript (TypeScript files get them from @types/node). */
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Blob',
    'Buffer',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'crypto',
    'fetch',
    'global',
    'Headers',
    'performance',
    'process',
    'queueMicrotask',
    'Request',
    'Response',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
    'TextDecoder',
    'TextEncoder',
    'URL',
    'URLSearchParams',
  ].map((name) => [name, 'readonly']),
);

const commonJsGlobals = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);

const unusedUnlessUnderscore = [
  'error',
  { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '**/*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // Type-checked for real only inside the scratch project of the packaging tests, so no
          // tsconfig of the repository includes it; linted with the shared compiler options.
          allowDefaultProject: ['packages/packaging-tests/fixtures/consumer.ts'],
          defaultProject: 'tooling/tsconfig.json',
        },
        tsconfigRootDir: root,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      'max-params': ['error', 4],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/class-literal-property-style': 'off',
      '@typescript-eslint/no-useless-constructor': 'off',
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@llmdevops/*/src',
            '@llmdevops/*/src/*',
            '@llmdevops/*/dist',
            '@llmdevops/*/dist/*',
            '../../*/src/*',
          ],
        },
      ],
    },
  },
  {
    // Tests, and the contract suite in tooling/ (a test suite shared by several packages).
    files: ['**/*.test.ts', '**/test/**/*.ts', 'tooling/contract/**/*.ts'],
    rules: {
      // A mock's parameters give it its type even when its body does not read them.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
      'max-params': 'off',
    },
  },
  {
    // Plain JavaScript has no types to check: the type-aware rules are off, the rest apply.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      'no-unused-vars': unusedUnlessUnderscore,
      '@typescript-eslint/no-unused-vars': unusedUnlessUnderscore,
    },
  },
  {
    // Scripts and programs report on the console.
    files: [
      'tooling/**',
      'packages/*/scripts/**',
      'packages/*/bin/**',
      'packages/packaging-tests/fixtures/**',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // CommonJS: the .cjs files, the consumer the packaging tests run in a "commonjs" project, and
    // dhub's entry (its bin folder is a "commonjs" package).
    files: ['**/*.cjs', 'packages/packaging-tests/fixtures/cjs-consumer.js', 'packages/cli/bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // One step per function: the benchmark suites were split so that none hides its steps.
    files: ['tooling/bench/**/*.mjs', 'tooling/scripts/bench.mjs'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  prettier,
);
