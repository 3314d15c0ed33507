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
      // rules through their own browser-safe entry, @parley/api/rules.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@parley/api',
              allowTypeImports: true,
              message: 'Import only types from @parley/api; the pure rules are @parley/api/rules.',
            },
          ],
          patterns: [
            { group: ['node:*', '@parley/db', '@parley/db/*'], message: 'Server-only.' },
            {
              group: ['@parley/api/*', '!@parley/api/rules', '@parley/api/rules/*'],
              message: 'Of @parley/api, the browser may load only @parley/api/rules.',
            },
          ],
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
