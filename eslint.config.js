import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';
import globals from 'globals';

export default tseslint.config(
  // Never lint, and so never load configs from, scanned content: fixtures, the evaluation corpus under .cache/ (real
  // lures: ESLint would import their eslint.config.* files), test scratch folders.
  { ignores: ['build/**', 'build-all/**', 'dist/**', 'fixtures/**', 'node_modules/**', 'coverage/**', '.cache/**', 'etc/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  regexp.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Every regex in src/ runs on attacker-written text: super-linear backtracking is a hang.
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
    },
  },
);
