// Lint: typescript-eslint (type-aware, strict) and eslint-plugin-rxjs-x at its strict level.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';

export default tseslint.config(
  { ignores: ['bench/*.mjs', 'test/conformance/**', 'dist/**', 'coverage/**', 'docs/**', 'node_modules/**', 'scripts/**', 'test/package/fixtures/**', 'eslint.config.mjs', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  rxjsX.configs.strict,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'rxjs-x/no-ignored-error': 'off',
    },
  },
  {
    files: ['test/**', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] }],
      'rxjs-x/no-ignored-subscription': 'off',
      'rxjs-x/no-topromise': 'off',
    },
  },
);
