import { describe, expect, it } from '@jest/globals';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { runInProcess } from '../action-env.js';

/** The test harness runs each action like a separate step: its own summary file, nothing carried over. */
describe('runInProcess', () => {
  it('gives each run its own job summary, as each step has on a runner', async () => {
    const first = await runInProcess(() => writeSummary('First step', [['Item', 'one']]), {});
    const second = await runInProcess(() => writeSummary('Second step', [['Item', 'two']]), {});
    expect(first.summary).toContain('First step');
    expect(first.summary).not.toContain('Second step');
    expect(second.summary).toContain('Second step');
    expect(second.summary).not.toContain('First step');
  });

  it('appends to the summary a step already has, as the runner expects', async () => {
    const run = await runInProcess(async () => {
      await writeSummary('Build', [['Image', 'a']]);
      await writeSummary('Deploy', [['Release', 'b']]);
    }, {});
    expect(run.summary.indexOf('Build')).toBeGreaterThanOrEqual(0);
    expect(run.summary.indexOf('Deploy')).toBeGreaterThan(run.summary.indexOf('Build'));
  });
});
