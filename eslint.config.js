import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.data/',
      'coverage/',
      'functions/eventsourcing/dist/',
      // Compiled by the package test against the installed tarball, with its own tsconfig.
      'test/fixtures/outside-project/',
      // Copied into a copy of the repository, where it compiles, by the added-context test.
      'test/fixtures/added-context/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Size caps: code beyond them is split, or carries an eslint-disable comment with its reason.
      complexity: ['error', 10],
      'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z']",
          message:
            "Use import * as z from 'zod': the named z keeps every zod locale in the Lambda bundles (about 360 KiB).",
        },
      ],
    },
  },
  {
    // A test suite reads top to bottom: its cases share the fixtures at its top and spell out
    // their setup and expectations instead of hiding them in helpers. Suites are split by
    // concern; one concern's suite may run to three times the size cap of the code it tests.
    files: ['test/**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 750, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The unit suite runs without Java: no database, no server, no child process.
    files: ['test/unit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:child_process', 'node:http', 'node:net'].map((name) => ({
            name,
            message:
              'A unit test starts no process and opens no socket: write it under test/integration or test/e2e.',
          })),
          patterns: [
            {
              group: [
                '**/support/dynamodb',
                '**/support/local-api',
                '**/support/projection-fixture',
                '**/support/global-log',
                '**/support/stream-runner-fixture',
                '**/support/stack-process',
                '**/local/dynamodb-local',
                '**/local/stack',
              ],
              message:
                'A unit test runs without DynamoDB Local: write it under test/integration or test/e2e.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
