import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { KIND_VERSION } from '../src/kind-install.js';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/** What the repository's files say about other files: every document they cite is in the repository. */

const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
const textFiles = tracked.filter(
  (f) => /\.(ts|js|ya?ml|md|json)$/.test(f) && !f.includes('/dist/') && f !== 'package-lock.json',
);
const markdown = new Set(tracked.filter((f) => f.endsWith('.md')));

describe('the repository', () => {
  test('every markdown document a file cites is in the repository', () => {
    const missing: string[] = [];
    for (const file of textFiles) {
      for (const [cited] of readFileSync(path.join(ROOT, file), 'utf8').matchAll(/[\w./-]*[\w-]\.md\b/g)) {
        const candidates = [cited, path.join(path.dirname(file), cited)].map((c) => path.normalize(c));
        const found =
          candidates.some((c) => markdown.has(c)) || [...markdown].some((m) => path.basename(m) === cited);
        if (!found) missing.push(`${file}: ${cited}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("the CLI installs the kind release the workflows' kind-action installs", () => {
    const versions = new Set<string>();
    for (const file of textFiles.filter((f) => f.startsWith('.github/workflows/'))) {
      const doc = parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as {
        jobs: Record<string, { steps?: { uses?: string; with?: { version?: string } }[] }>;
      };
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps ?? [])
          if (step.uses?.startsWith('helm/kind-action@') && step.with?.version)
            versions.add(step.with.version);
    }
    expect([...versions]).toEqual([KIND_VERSION]);
  });
});
