// Unit and integration tests of every workspace, run by `npm test`. ESM throughout, so Jest runs
// with --experimental-vm-modules and ts-jest's ESM preset; type checking is `npm run lint`'s job
// (isolatedModules keeps the test run fast).
/** @type {import('jest').Config} */
export const base = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

export default {
  ...base,
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '\\.e2e\\.test\\.ts$',
    '\\.browser\\.test\\.ts$',
    '\\.cluster\\.test\\.ts$',
    '\\.act\\.test\\.ts$',
  ],
};
