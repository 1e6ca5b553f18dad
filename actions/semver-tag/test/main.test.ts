import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest, afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { runAction } from '@incidents-pipeline/actions-lib/action';
import { runInProcess, type Inputs } from '@incidents-pipeline/test-support/action-env';
import { ISOLATED_GIT_ENV, TestRepo, withoutIdentity } from '@incidents-pipeline/test-support/git-repo';
import { run } from '../src/main.js';

// Real git processes; a busy machine can take seconds per repository.
jest.setTimeout(60_000);

const repos: TestRepo[] = [];
afterAll(() => {
  for (const r of repos) r.cleanup();
});

async function repoWith(build: (repo: TestRepo) => Promise<void>): Promise<TestRepo> {
  const repo = await TestRepo.init();
  repos.push(repo);
  await build(repo);
  return repo;
}

function runIn(repo: TestRepo, inputs: Inputs, env: Record<string, string | undefined> = {}) {
  return runInProcess(() => runAction(run), inputs, {
    ...ISOLATED_GIT_ENV,
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_REF: undefined,
    ...env,
  });
}

describe('mode next', () => {
  it('computes a minor release from feat commits since the newest tag, with outputs and summary', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('chore: start');
      await r.tag('v1.1.0');
      await r.commit('fix: old fix');
      await r.tag('v1.2.0', 'Release v1.2.0'); // annotated
      await r.commits('fix(io): handle CRLF', 'feat(api): JSON output', 'docs: readme');
    });
    const result = await runIn(repo, {});
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      version: '1.3.0',
      tag: 'v1.3.0',
      'previous-version': '1.2.0',
      'previous-tag': 'v1.2.0',
      bump: 'minor',
      major: '1',
      minor: '3',
      patch: '0',
      'is-prerelease': 'false',
    });
    expect(result.outputs.changelog).toMatch(
      /^### Features\n\n- \*\*api:\*\* JSON output \([0-9a-f]{7}\)\n\n### Bug fixes\n\n- \*\*io:\*\* handle CRLF/,
    );
    expect(result.outputs.changelog).not.toContain('old fix');
    expect(result.summary).toContain('Next version: 1.3.0');
    expect(result.summary).toContain('1.2.0 (v1.2.0)');
    expect(result.summary).toContain('1 feature since v1.2.0');
  });

  it('gives a major release for a BREAKING CHANGE footer once past 1.0', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: first');
      await r.tag('v1.0.0');
      await r.commit('refactor: rename settings\n\nBREAKING CHANGE: INCIDENTS_PATH is now INCIDENTS_FILE');
    });
    const result = await runIn(repo, {});
    expect(result.outputs).toMatchObject({ version: '2.0.0', bump: 'major' });
    expect(result.outputs.changelog).toContain('### Breaking changes');
  });

  it('reports bump none and the current version when nothing is releasable', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: first');
      await r.tag('v0.3.0');
      await r.commits('docs: typo', 'ci: cache');
    });
    const result = await runIn(repo, { push: true });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      version: '0.3.0',
      tag: 'v0.3.0',
      bump: 'none',
      'previous-tag': 'v0.3.0',
    });
    expect(result.stdout).toContain('Nothing to release');
  });

  it('uses initial-version for a repository that has no tags yet', async () => {
    const repo = await repoWith((r) => r.commits('feat: first', 'fix: second'));
    const result = await runIn(repo, { 'initial-version': '1.0.0' });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      version: '1.0.0',
      bump: 'initial',
      'previous-version': '',
      'previous-tag': '',
    });
    expect(result.outputs.changelog).toContain('- second');
  });

  it('counts release candidates up from the existing prerelease tags', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: base');
      await r.tag('v2.4.0');
      await r.commit('feat: candidate work');
      await r.tag('v2.5.0-rc.1');
      await r.commit('fix: after rc1');
      await r.tag('v2.5.0-rc.2', 'second candidate');
      await r.commit('fix: after rc2');
    });
    const rc = await runIn(repo, { prerelease: 'rc' });
    expect(rc.outputs).toMatchObject({
      version: '2.5.0-rc.3',
      tag: 'v2.5.0-rc.3',
      'previous-tag': 'v2.4.0',
      bump: 'minor',
      'is-prerelease': 'true',
      patch: '0',
    });
    const release = await runIn(repo, {});
    expect(release.outputs).toMatchObject({ version: '2.5.0', 'is-prerelease': 'false' });
  });

  it('finds the newest of more than a hundred tags by semver, ignoring other tags', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: start');
      await r.tagMany([
        ...Array.from({ length: 130 }, (_, i) => `v0.${i}.0`),
        'v0.99.9', // newest by text, not by semver
        'nightly',
        'v9.0', // not semver
        'release-20.0.0',
      ]);
      await r.commit('fix: one');
    });
    const result = await runIn(repo, { bump: 'minor' });
    expect(result.outputs).toMatchObject({ version: '0.130.0', 'previous-tag': 'v0.129.0', bump: 'minor' });
  });

  it('honours a custom prefix', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: start');
      await r.tag('service/v3.1.4');
      await r.tag('v9.9.9');
      await r.commit('perf: faster');
    });
    const result = await runIn(repo, { prefix: 'service/v' });
    expect(result.outputs).toMatchObject({
      version: '3.1.5',
      tag: 'service/v3.1.5',
      'previous-tag': 'service/v3.1.4',
    });
  });
});

describe('checkout problems', () => {
  it('refuses a shallow clone and says to fetch everything', async () => {
    const source = await repoWith(async (r) => {
      await r.commits('feat: a', 'fix: b');
      await r.tag('v1.0.0');
      await r.commit('fix: c');
    });
    const shallow = await TestRepo.clone(source.url, { depth: 1 });
    repos.push(shallow);
    const result = await runIn(shallow, {});
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      "this is a shallow clone, so tags and history are missing; use actions/checkout with 'fetch-depth: 0' so the whole history and all tags are fetched",
    ]);
    expect(result.outputs).toEqual({});
  });

  it('refuses a full clone whose tags were not fetched, but not a remote without tags', async () => {
    const source = await repoWith(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.4.0');
      await r.commit('fix: b');
    });
    const noTags = await TestRepo.clone(source.url, { noTags: true });
    repos.push(noTags);
    const result = await runIn(noTags, {});
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(
      /origin has release tags \(newest v1\.4\.0\) that this checkout has not fetched; .*fetch-depth: 0/,
    );

    const untagged = await repoWith((r) => r.commits('feat: a'));
    const clone = await TestRepo.clone(untagged.url);
    repos.push(clone);
    expect((await runIn(clone, {})).outputs.version).toBe('0.1.0');
  });

  it('fails clearly outside a git working copy', async () => {
    const bare = await TestRepo.init({ bare: true });
    repos.push(bare);
    const result = await runIn(bare, {});
    expect(result.errors[0]).toMatch(/is not a git working copy; run actions\/checkout first/);
  });
});

describe('mode validate', () => {
  const history = () =>
    repoWith(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.9.0');
      await r.commit('feat: b');
      await r.tag('v1.10.0', 'Release v1.10.0');
      await r.commit('fix: c');
    });

  it('accepts a pushed tag from GITHUB_REF that is newer than every other tag', async () => {
    const repo = await history();
    await repo.tag('v1.10.1', 'Release v1.10.1');
    const result = await runIn(
      repo,
      { mode: 'validate', 'default-branch': 'main' },
      { GITHUB_REF: 'refs/tags/v1.10.1' },
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      version: '1.10.1',
      tag: 'v1.10.1',
      'previous-tag': 'v1.10.0',
      bump: 'patch',
      major: '1',
      minor: '10',
      patch: '1',
    });
    expect(result.outputs.changelog).toMatch(/^### Bug fixes\n\n- c \([0-9a-f]{7}\)$/);
    expect(result.summary).toContain('Release tag v1.10.1 validated');
  });

  it('refuses a tag that is not newer than the newest other release tag', async () => {
    const repo = await history();
    await repo.tag('v1.9.1');
    const result = await runIn(repo, { mode: 'validate', tag: 'v1.9.1', 'default-branch': 'main' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'tag v1.9.1 is not newer than the existing release tag v1.10.0; versions only go up, so tag a version above 1.10.0',
    ]);
  });

  it.each([
    ['v1.11', /"v1\.11" is not a strict semantic version/],
    ['1.11.0', /"1\.11\.0" does not start with the tag prefix "v"/],
    ['v1.11.0; rm -rf /', /contains ';'/],
    ['$(touch /tmp/pwned)', /contains '\$'/],
    ['v1.11.0`id`', /contains '`'/],
    ['v1.11.0\nv2.0.0', /contains whitespace|control characters/],
    ['v1.11.0%0A::error::fake', /is not a strict semantic version/],
  ])('refuses the tag %j with the reason', async (tag, reason) => {
    const repo = await history();
    const result = await runIn(repo, { mode: 'validate', tag });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^input 'tag': /);
    expect(result.errors[0]).toMatch(reason);
    expect(result.outputs).toEqual({});
  });

  it('refuses to run on a branch push without a tag', async () => {
    const repo = await history();
    const result = await runIn(repo, { mode: 'validate' }, { GITHUB_REF: 'refs/heads/main' });
    expect(result.errors[0]).toContain(
      "mode validate needs a tag: set 'tag' or run on a tag push (GITHUB_REF is 'refs/heads/main')",
    );
  });

  it('refuses a tag that does not exist, naming it, before anything else reads it', async () => {
    const repo = await history();
    const result = await runIn(repo, { mode: 'validate', tag: 'v1.11.0', 'default-branch': 'main' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      "tag v1.11.0 does not exist in this checkout; push the tag first, or name an existing release tag (git tag --list 'v*')",
    ]);
    expect(result.outputs).toEqual({});
  });

  it('needs to know the default branch, and says where it comes from', async () => {
    const repo = await history();
    await repo.tag('v1.10.1');
    const result = await runIn(repo, { mode: 'validate', tag: 'v1.10.1' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      "input 'default-branch': mode validate checks that the tag's commit is on the default branch: " +
        'set default-branch, or run on an event whose payload names repository.default_branch',
    ]);
  });

  it.each(['-main', 'main..x', 'ma in', 'main;id'])('refuses the default branch %j', async (branch) => {
    const repo = await history();
    const result = await runIn(repo, { mode: 'validate', tag: 'v1.10.0', 'default-branch': branch });
    expect(result.errors[0]).toMatch(/^input 'default-branch': .* is not a branch name$/);
  });
});

describe('mode validate: the tag must be on the default branch', () => {
  /** origin with main, and a clone: what actions/checkout with fetch-depth 0 leaves. */
  async function cloneOfOrigin() {
    const origin = await TestRepo.init({ bare: true });
    const seed = await TestRepo.clone(origin.url);
    repos.push(origin, seed);
    await seed.commit('feat: a');
    await seed.tag('v1.0.0', 'Release v1.0.0');
    await seed.git('push', '--quiet', '--follow-tags', 'origin', 'main');
    return { origin, seed };
  }
  const validate = (repo: TestRepo, tag: string, branch = 'main') =>
    runIn(repo, { mode: 'validate', tag, 'default-branch': branch });

  it('refuses a tag on a commit of another branch that never reached the default branch', async () => {
    const { origin, seed } = await cloneOfOrigin();
    await seed.git('checkout', '--quiet', '-b', 'unreviewed');
    const commit = await seed.commit('feat: straight to a tag');
    await seed.tag('v1.1.0', 'Release v1.1.0');
    await seed.git('push', '--quiet', '--follow-tags', 'origin', 'unreviewed');
    const checkout = await TestRepo.clone(origin.url);
    repos.push(checkout);
    await checkout.git('checkout', '--quiet', 'v1.1.0');

    const result = await validate(checkout, 'v1.1.0');
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      `tag v1.1.0 points to commit ${commit.slice(0, 12)}, which is not on the default branch main ` +
        `(refs/remotes/origin/main); release tags are cut from main only, so tag a commit of main`,
    ]);
    expect(result.outputs).toEqual({});
  });

  it("judges by origin's default branch, not a local branch of that name moved ahead", async () => {
    const { seed } = await cloneOfOrigin();
    // Committed and tagged on the local main, never pushed: origin's main has not got it.
    await seed.commit('fix: local only');
    await seed.tag('v1.0.1');
    const result = await validate(seed, 'v1.0.1');
    expect(result.errors[0]).toMatch(
      /^tag v1\.0\.1 points to commit [0-9a-f]{12}, which is not on the default branch main/,
    );
    // Once main on origin has it, the same tag passes.
    await seed.git('push', '--quiet', 'origin', 'main');
    await seed.git('fetch', '--quiet', 'origin');
    const again = await validate(seed, 'v1.0.1');
    expect(again.errors).toEqual([]);
    expect(again.outputs).toMatchObject({ version: '1.0.1', 'previous-tag': 'v1.0.0' });
  });

  it('accepts a tag on an older commit of the default branch, and on a merged branch', async () => {
    const { origin, seed } = await cloneOfOrigin();
    await seed.git('checkout', '--quiet', '-b', 'feature');
    await seed.commit('feat: on a branch');
    await seed.tag('v1.1.0');
    await seed.git('checkout', '--quiet', 'main');
    await seed.git('merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature');
    await seed.commit('docs: later');
    await seed.git('push', '--quiet', '--tags', 'origin', 'main');
    const checkout = await TestRepo.clone(origin.url);
    repos.push(checkout);
    const result = await validate(checkout, 'v1.1.0');
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({ version: '1.1.0', bump: 'minor' });
  });

  it('says how to fetch the default branch when the checkout has none of that name', async () => {
    const { seed } = await cloneOfOrigin();
    const result = await validate(seed, 'v1.0.0', 'trunk');
    expect(result.errors).toEqual([
      "the default branch trunk is not in this checkout (neither refs/remotes/origin/trunk nor refs/heads/trunk); use actions/checkout with 'fetch-depth: 0' so every branch is fetched",
    ]);
  });
});

describe('mode validate, other inputs', () => {
  const history = () =>
    repoWith(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.9.0');
    });

  it('refuses hostile values in other inputs too', async () => {
    const repo = await history();
    expect((await runIn(repo, { prefix: 'v;rm' })).errors[0]).toMatch(/^input 'prefix': /);
    expect((await runIn(repo, { 'initial-version': '$(id)' })).errors[0]).toMatch(
      /^input 'initial-version': .*'\$'/,
    );
    expect((await runIn(repo, { prerelease: 'rc.1' })).errors[0]).toMatch(/^input 'prerelease': /);
    expect((await runIn(repo, { bump: 'huge' })).errors[0]).toMatch(/^input 'bump': must be one of/);
    expect((await runIn(repo, { push: 'yes please' })).errors[0]).toMatch(/^input 'push': /);
  });
});

describe('push', () => {
  async function remoteAndClone(build: (repo: TestRepo) => Promise<void>) {
    const remote = await TestRepo.init({ bare: true });
    const work = await TestRepo.clone(remote.url);
    repos.push(remote, work);
    await build(work);
    await work.git('push', '--quiet', '--follow-tags', 'origin', 'main');
    await work.git('push', '--quiet', '--tags', 'origin');
    return { remote, work };
  }

  it('creates an annotated tag as github-actions[bot] and pushes it to origin', async () => {
    const { remote, work } = await remoteAndClone(async (r) => {
      await r.commit('feat: a');
      await r.tag('v0.1.0');
      await r.commit('feat: b');
    });
    const result = await runIn(work, { push: true }, withoutIdentity);
    expect(result.errors).toEqual([]);
    expect(result.outputs.tag).toBe('v0.2.0');
    expect(await remote.git('cat-file', '-t', 'refs/tags/v0.2.0')).toBe('tag');
    expect(await remote.git('rev-parse', 'v0.2.0^{commit}')).toBe(await work.git('rev-parse', 'HEAD'));
    expect(await remote.git('for-each-ref', '--format=%(taggername)', 'refs/tags/v0.2.0')).toBe(
      'github-actions[bot]',
    );
    const message = await remote.git('for-each-ref', '--format=%(contents)', 'refs/tags/v0.2.0');
    expect(message).toMatch(/^Release v0\.2\.0\n\n### Features\n\n- b \(/);
    expect(result.summary).toMatch(/Tag pushed<\/td><td>yes|Tag pushed.*yes/s);

    // Running again finds nothing new to release and leaves the tag alone.
    const again = await runIn(work, { push: true }, withoutIdentity);
    expect(again.outputs).toMatchObject({ bump: 'none', version: '0.2.0' });
  });

  it('refuses to overwrite a tag that already exists on origin', async () => {
    const { remote, work } = await remoteAndClone(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.0.0');
    });
    // Someone else released 1.1.0 meanwhile; this checkout has not fetched it.
    const other = await TestRepo.clone(remote.url);
    repos.push(other);
    await other.commit('feat: theirs');
    await other.tag('v1.1.0');
    await other.git('push', '--quiet', 'origin', 'v1.1.0');
    await work.commit('feat: ours');
    const result = await runIn(work, { push: true });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'tag v1.1.0 already exists on origin; release tags are never overwritten',
    ]);
    expect(await remote.git('rev-parse', 'v1.1.0')).toBe(await other.git('rev-parse', 'HEAD'));
  });

  it('validate with push creates the validated tag, and refuses a tag that exists locally', async () => {
    const { remote, work } = await remoteAndClone(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.0.0');
      await r.commit('fix: b');
    });
    const result = await runIn(work, {
      mode: 'validate',
      tag: 'v1.0.1',
      push: true,
      'default-branch': 'main',
    });
    expect(result.errors).toEqual([]);
    expect(await remote.git('tag', '--list')).toBe('v1.0.0\nv1.0.1');
  });
});

describe('push through the GitHub API', () => {
  interface Seen {
    method: string;
    url: string;
    authorization: string | undefined;
    body: Record<string, unknown>;
  }
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function standIn(existingRefs: string[] = []) {
    const seen: Seen[] = [];
    server = createServer(async (req: IncomingMessage, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/repos/acme/incidents/git/tags') {
        res.statusCode = 201;
        res.end(JSON.stringify({ sha: 'f'.repeat(40), tag: body.tag }));
      } else if (req.method === 'POST' && req.url === '/repos/acme/incidents/git/refs') {
        if (existingRefs.includes(String(body.ref))) {
          res.statusCode = 422;
          res.end(JSON.stringify({ message: 'Reference already exists' }));
        } else {
          res.statusCode = 201;
          res.end(JSON.stringify({ ref: body.ref, object: { sha: body.sha } }));
        }
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: 'Not Found' }));
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server!.address() as AddressInfo;
    return { seen, env: { GITHUB_API_URL: `http://127.0.0.1:${port}`, GITHUB_REPOSITORY: 'acme/incidents' } };
  }

  it('creates the tag object and its ref with the token, without git push', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.0.0');
      await r.commit('feat: b');
    });
    const { seen, env } = await standIn();
    const result = await runIn(repo, { push: true, 'github-token': 'ghs_test_token' }, env);
    expect(result.errors).toEqual([]);
    const head = await repo.git('rev-parse', 'HEAD');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /repos/acme/incidents/git/tags',
      'POST /repos/acme/incidents/git/refs',
    ]);
    expect(seen[0].authorization).toBe('token ghs_test_token');
    expect(seen[0].body).toMatchObject({ tag: 'v1.1.0', object: head, type: 'commit' });
    expect(String(seen[0].body.message)).toMatch(/^Release v1\.1\.0\n\n### Features/);
    expect(seen[1].body).toEqual({ ref: 'refs/tags/v1.1.0', sha: 'f'.repeat(40) });
    // The only place the token may appear is the command that masks it.
    expect(result.stdout).toContain('::add-mask::ghs_test_token');
    expect(result.stdout.replace('::add-mask::ghs_test_token', '')).not.toContain('ghs_test_token');
    expect(await repo.git('tag', '--list')).toBe('v1.0.0'); // nothing created locally
  });

  it('reports a tag that already exists on GitHub as an error', async () => {
    const repo = await repoWith(async (r) => {
      await r.commit('feat: a');
      await r.tag('v1.0.0');
      await r.commit('fix: b');
    });
    const { env } = await standIn(['refs/tags/v1.0.1']);
    const result = await runIn(repo, { push: true, 'github-token': 'ghs_test_token' }, env);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'tag v1.0.1 already exists in acme/incidents; release tags are never overwritten',
    ]);
  });
});
