import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests, and tests that start real services (moto_server, cfn-lint,
// Chromium) which own their set-up and tear-down.
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Tests that spawn bin/vpce-guard.js need the compiled CLI current (see bin/build.js).
    globalSetup: ['test/helpers/build-cli.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Property tests run thousands of cases; a busy CI machine must not turn them into timeouts.
          testTimeout: 30_000,
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/deploy/**', 'test/e2e/**', 'test/quality/**'],
          setupFiles: ['test/helpers/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/deploy/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/quality/**/*.test.ts',
          ],
          setupFiles: ['test/helpers/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
