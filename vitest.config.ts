import { defineConfig } from 'vitest/config';

/** Starts the run's DynamoDB Local (Java): only the suites that talk to a database need it. */
const dynamoDbLocal = 'test/support/global-setup.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // Embedded-metric lines on stdout; the tests that check metrics enable them explicitly.
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      // Pure code: no database, no server, no child process. Runs without Java.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // One component against DynamoDB Local or over real HTTP; the CDK app synthesized.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [dynamoDbLocal],
        },
      },
      // The whole local stack, child processes, the README walkthrough.
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: [dynamoDbLocal] },
      },
    ],
  },
});
