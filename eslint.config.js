import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Product code: what a user of the package runs (the actions, their library, the CLI, the service).
 * It never imports the development platform (devtools/) or the test support (test-support/), by
 * package name or by path, so nothing of either can end up in an action's bundle or the image.
 */
const PRODUCT = ['actions/*/src/**/*.ts', 'service/src/**/*.ts'];

export default tseslint.config(
  {
    // JavaScript is linted where we write it by hand and run it as it is: the stand-in tools.
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '**/*.js',
      '!eslint.config.js',
      '!test-support/stand-ins/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The stand-ins run on Node as scripts: its globals are theirs (TypeScript files get them from @types/node).
    files: ['test-support/stand-ins/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setInterval: 'readonly',
        setTimeout: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  {
    files: PRODUCT,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@incidents-pipeline/devtools', '@incidents-pipeline/devtools/*', '**/devtools/**'],
              message: 'product code never imports the development platform (devtools/); see ARCHITECTURE.md',
            },
            {
              group: [
                '@incidents-pipeline/test-support',
                '@incidents-pipeline/test-support/*',
                '**/test-support/**',
              ],
              message: 'product code never imports the test support (test-support/); see ARCHITECTURE.md',
            },
          ],
        },
      ],
    },
  },
);
