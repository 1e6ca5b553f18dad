import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  CHART_DIR,
  HELM_SETUP_TIMEOUT_MS,
  helm,
  withValuesFile,
  HELM_TEST_TIMEOUT_MS,
  prepareHelm,
} from './helm-chart.js';
import { SCENARIOS } from './scenarios.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

describe('helm lint --strict', () => {
  it.each(Object.entries(SCENARIOS))(
    'passes with %s',
    async (_name, values) => {
      const result = await withValuesFile(values, (file) =>
        helm(['lint', '--strict', CHART_DIR, '--values', file]),
      );
      expect(result.stderr).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(result.exitCode).toBe(0);
    },
    HELM_SETUP_TIMEOUT_MS,
  );

  it('fails on values the schema refuses', async () => {
    const result = await withValuesFile({ replicaCount: -1 }, (file) =>
      helm(['lint', '--strict', CHART_DIR, '--values', file]),
    );
    expect(result.exitCode).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toContain('replicaCount');
  });
});

describe('helm 4', () => {
  it('is the helm these tests run', async () => {
    const result = await helm(['version', '--template', '{{.Version}}']);
    expect(result.stdout).toMatch(/^v4\.\d+\.\d+/);
  });
});
