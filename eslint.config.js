import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      'renderer/dist/',
      'renderer/board/dist/',
      'test-results/',
      'out/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The hub is plain Node: it runs headless, so it must never pull in Electron
    // or the desktop and UI folders (DESIGN.md rules 5 and 6).
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'server/ runs on plain Node: never import electron.' },
          ],
          patterns: [
            {
              group: ['electron/*'],
              message: 'server/ runs on plain Node: never import electron.',
            },
            {
              group: ['**/app/**', '**/renderer/**'],
              message: 'server/ must not import app/ or renderer/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in a browser and talks to the hub over HTTP only: of
    // server/ it may use the admin API's types, nothing else (DESIGN.md rule 5).
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts', 'renderer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)server/(?!admin/api-types$|classroom/api-types$)',
              message: 'renderer/ uses the hub through its HTTP API; import only its types.',
            },
          ],
        },
      ],
    },
  },
);
