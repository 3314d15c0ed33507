import { config } from '@parley/eslint-config';
import reactHooks from 'eslint-plugin-react-hooks';

export default [
  ...config(import.meta.dirname),
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The browser bundle must not pull server code: from @parley/api only types, and the pure
      // title rule through its own entry.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@parley/api',
              allowTypeImports: true,
              message: 'Import only types from @parley/api; the title rule is @parley/api/title.',
            },
          ],
          patterns: [{ group: ['node:*', '@parley/db', '@parley/db/*'], message: 'Server-only.' }],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', '__dirname', 'require'],
    },
  },
  {
    // The end-to-end tests read untyped JSON off the wire on purpose, like the server's tests.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
];
