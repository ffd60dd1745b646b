import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{machines,conformance,reference,scripts,test,diagrams,report,cli,mutants}/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
  },
});
