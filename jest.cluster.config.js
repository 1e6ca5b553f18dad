// Cluster tests (`npm run test:cluster`): a real single-node Kubernetes built from the upstream Go
// modules (`npm run cluster`), brought up by the tests themselves (a no-op when it runs) and taken
// down after the last file.
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/**/*.cluster.test.ts'],
  // A cold run builds Kubernetes, etcd, containerd and CoreDNS first.
  testTimeout: 60 * 60 * 1000,
  globalTeardown: '<rootDir>/jest.cluster.teardown.js',
};
