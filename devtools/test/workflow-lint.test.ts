import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { lintWorkflows, type WorkflowLint } from '../tools/workflow-lint.js';

/**
 * `npm run lint` runs the real actionlint and zizmor over `.github/`. Here the same lint runs over
 * a scratch repository holding one workflow: clean, it passes; broken in one way on purpose, it
 * fails, and the tool and rule that caught it are named.
 */

jest.setTimeout(60_000);

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';

/** Two jobs, as our workflows have: zizmor judges workflow-level permissions only then. */
function workflow(change: Partial<Record<'permissions' | 'checkout' | 'greeting' | 'script', string>> = {}) {
  return `name: probe
on: push
permissions: ${change.permissions ?? '{}'}
concurrency:
  group: probe-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: ${change.checkout ?? CHECKOUT}
        with:
          persist-credentials: false
      - id: greet
        run: echo "greeting=hello" >> "$GITHUB_OUTPUT"
      - env:
          GREETING: \${{ ${change.greeting ?? 'steps.greet.outputs.greeting'} }}
        run: ${change.script ?? 'echo "$GREETING"'}
  report:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo finished
`;
}

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function lint(text: string): Promise<WorkflowLint> {
  const { dir, cleanup } = tempDir('workflow-lint-');
  cleanups.push(cleanup);
  await mkdir(path.join(dir, '.github', 'workflows'), { recursive: true });
  await writeFile(path.join(dir, '.github', 'workflows', 'probe.yml'), text);
  return lintWorkflows(dir);
}

/** Which tools failed, with the rule names their reports give (`[expression]`, `error[unpinned-uses]`). */
function caught(result: WorkflowLint): Record<string, string[]> {
  return Object.fromEntries(
    result.reports
      .filter((r) => !r.ok)
      .map((r) => [r.tool, [...new Set([...r.output.matchAll(/\[([a-z-]+)\]/g)].map((m) => m[1]))].sort()]),
  );
}

describe('npm run lint over a workflow', () => {
  it('passes the clean workflow the broken ones start from', async () => {
    const result = await lint(workflow());
    expect(
      result.reports.map((r) => [r.tool, r.ok, r.output.split('\n').filter((l) => /\[/.test(l))]),
    ).toEqual([
      ['actionlint', true, []],
      ['zizmor', true, []],
    ]);
    expect(result.ok).toBe(true);
  });

  it.each([
    [
      'the commit message expanded inside run:',
      workflow({ script: 'echo "${{ github.event.head_commit.message }}"' }),
      { actionlint: ['expression'], zizmor: ['template-injection'] },
    ],
    [
      'an action pinned by tag instead of commit SHA',
      workflow({ checkout: 'actions/checkout@v7.0.1' }),
      { zizmor: ['unpinned-uses'] },
    ],
    [
      'an undefined steps.x.outputs.y',
      workflow({ greeting: 'steps.x.outputs.y' }),
      { actionlint: ['expression'] },
    ],
    ['permissions: write-all', workflow({ permissions: 'write-all' }), { zizmor: ['excessive-permissions'] }],
  ])('fails on %s', async (_what, text, expected) => {
    const result = await lint(text);
    expect(result.ok).toBe(false);
    expect(caught(result)).toEqual(expected);
  });
});
