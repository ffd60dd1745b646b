import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const include = [
  '{machines,conformance,reference,sipstack,adapters,scripts,test,diagrams,report,cli,mutants,examples}/**/*.test.ts',
];
/** Files that mock a module of the kit (`vi.mock`): their mock must not reach other files. */
const mocking = ['conformance/advisories.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // Hooks that run a whole check (several files share one run) need a test's time, not 10 s.
    hookTimeout: 60_000,
    // Two workers more than the cores: a few files mostly wait on real time (SIPp scenarios,
    // wire checks, step time-outs) and leave their core idle meanwhile. Measured on 2 cores, the
    // whole suite: 2 workers 73–80 s, 3 workers 70 s, 4 workers 62 s, 5 workers 63 s, 6 workers
    // 65 s. The projects below inherit this value, and a project's own value wins over
    // `--maxWorkers` on the command line: change it here.
    maxWorkers: availableParallelism() + 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include,
          exclude: mocking,
          // The test files share one module graph per worker: importing the kit, the machines
          // and xstate again for every file took about a quarter of the run, and plans made by
          // one file serve the next. Measured on cli/ and scripts/ with two workers: 87 s
          // isolated, 55 s shared, the same tests passing.
          isolate: false,
        },
      },
      { extends: true, test: { name: 'isolated', include: mocking } },
    ],
  },
});
