// Shared lint rules: typescript-eslint's type-aware recommended set, plus the few rules
// that catch real bugs in async server code (floating promises, unawaited misuse).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** @param {string} tsconfigRootDir */
export function config(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ['**/dist/**', '**/generated/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      },
    },
    {
      // Test support stays out of what ships: nothing under src/ but a test imports vitest or a
      // testing/ module (the convention: support in testing/ at the package root).
      files: ['**/src/**/*.{ts,tsx}'],
      ignores: ['**/*.test.{ts,tsx}'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['vitest', 'vitest/*', '**/testing', '**/testing/*', '@parley/*/testing'],
                message: 'Only tests import test support; src/ is what ships.',
              },
            ],
          },
        ],
      },
    },
    {
      // Tests and their support code (testing/) read untyped JSON off the wire on purpose;
      // asserting on it is the point.
      files: ['**/*.test.ts', '**/test/**/*.ts', '**/testing/**/*.ts'],
      rules: {
        '@typescript-eslint/no-explicit-any': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/no-unsafe-return': 'off',
        '@typescript-eslint/no-unsafe-argument': 'off',
        '@typescript-eslint/no-unsafe-call': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
      },
    },
  );
}
