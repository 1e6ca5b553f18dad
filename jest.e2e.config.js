// Docker end-to-end tests (`npm run test:e2e`): real image builds and containers, and the wallboard in
// Debian's chromium (`*.browser.test.ts`), run one at a time.
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/**/*.e2e.test.ts', '<rootDir>/**/*.browser.test.ts'],
  testTimeout: 15 * 60 * 1000,
};
