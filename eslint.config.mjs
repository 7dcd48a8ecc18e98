// ESLint: the recommended rules of ESLint and typescript-eslint, with a few overrides where a rule fights
// how this codebase is built. Known violations live in eslint-suppressions.json (`npm run lint:baseline`
// regenerates it; delete entries as code is fixed), so new code is held to every rule.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test-output/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      // `_name` marks a binding kept on purpose: a rest-destructure that drops fields (`{ _at, ...rest }`),
      // a callback's leading arguments, a required positional parameter.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Each event type has its own payload name even when its shape is another's (`LeadAliasAttachedPayload
      // extends Alias {}`), so handlers and the event catalog read by name.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // The back-office (web/): browser code, built by vite.
    files: ['web/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // CommonJS configuration files (jest, dependency-cruiser, the jest reporter) load with require().
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The event store is the typed boundary between heterogeneous streams and aggregates: `P = any` is only the
    // default of the payload parameter, and every aggregate and projection names its own payload type.
    files: ['src/platform/event-store/event-store.types.ts', 'src/platform/event-store/event-sourced-aggregate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests and benchmarks read untyped JSON (response bodies, the OpenAPI document) and pass deliberately wrong input.
    files: ['test/**', 'bench/**', '**/*.spec.ts', '**/*.e2e-spec.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
