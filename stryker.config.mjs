// Mutation testing (`npm run mutate`): not part of `npm test`. See TESTING.md for how to read the
// report and which survivors are accepted. Runs the compiled unit and contract tests with node's
// own test runner (TAP output) against each mutant; integration tests are left out so a run fits
// in well under an hour on a 2-core box.
const only = process.env.MUTATE ? process.env.MUTATE.split(',') : null

/** The modules that carry the gateway's guarantees (ordering, sequence numbers, store-and-forward). */
const guaranteed = [
  'gateway/sparkplug/**/*.ts',
  'gateway/pump/**/*.ts',
  'gateway/node/**/*.ts',
  'gateway/outbox/**/*.ts',
  'gateway/normalise/**/*.ts',
  'gateway/base/topics.ts',
  'gateway/base/integer-ranges.ts',
  'drivers/modbus/decode.ts',
  'drivers/modbus/encode.ts',
  'drivers/modbus/order.ts',
  'drivers/modbus/plan.ts',
]

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles: ['dist/test/unit/**/*.test.js'],
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  buildCommand: 'npx tsc -p tsconfig.json',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: only ?? guaranteed,
  ignorePatterns: ['dist', '.state', 'reports', 'BENCHMARKS.md'],
  coverageAnalysis: 'perTest',
  // Reruns only mutants whose code or covering tests changed; the file is local (gitignored).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
