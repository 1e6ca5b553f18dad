// Workflows under act (`npm run test:act`): act in host mode runs the real workflows with the committed
// action bundles, one run at a time (they share the machine's ports, docker and cluster).
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/**/*.act.test.ts'],
  testTimeout: 15 * 60 * 1000,
  // The kind-action stand-in leaves the local cluster up for the next run; the last step takes it down.
  globalTeardown: '<rootDir>/jest.cluster.teardown.js',
};
