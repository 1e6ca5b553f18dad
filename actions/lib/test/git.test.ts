import { jest, afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GITHUB_ACTIONS_BOT, GitClient } from '../src/git.js';
import { ISOLATED_GIT_ENV, TestRepo, withoutIdentity } from '@incidents-pipeline/test-support/git-repo';

// Real git processes; a busy machine can take seconds per repository.
jest.setTimeout(60_000);

describe('GitClient', () => {
  let repo: TestRepo;
  let git: GitClient;
  const toClean: TestRepo[] = [];

  beforeAll(async () => {
    repo = await TestRepo.init();
    toClean.push(repo);
    git = new GitClient(repo.dir, { env: ISOLATED_GIT_ENV });
    await repo.commit('chore: start');
    await repo.tag('v1.9.0');
    await repo.commit('feat: annotated release');
    await repo.tag('v1.10.0', 'Release v1.10.0');
    await repo.tag('v1.11.0-rc.1');
    await repo.tag('nightly');
  });

  afterAll(() => {
    for (const r of toClean) r.cleanup();
  });

  it('lists every tag, lightweight and annotated', async () => {
    expect((await git.listTags()).sort()).toEqual(['nightly', 'v1.10.0', 'v1.11.0-rc.1', 'v1.9.0']);
  });

  it('orders release tags newest first by semver, prereleases included, other tags left out', async () => {
    expect((await git.releaseTags('v')).map((t) => t.tag)).toEqual(['v1.11.0-rc.1', 'v1.10.0', 'v1.9.0']);
    expect(await git.releaseTags('other-')).toEqual([]);
  });

  it('reads more than a hundred tags without losing any', async () => {
    const many = await TestRepo.init();
    toClean.push(many);
    await many.commit('chore: start');
    const names = Array.from({ length: 150 }, (_, i) => `v1.${i}.0`);
    await many.tagMany(names);
    const client = new GitClient(many.dir, { env: ISOLATED_GIT_ENV });
    expect(await client.listTags()).toHaveLength(150);
    // Text order would pick v1.99.0.
    expect((await client.releaseTags('v'))[0]?.tag).toBe('v1.149.0');
  });

  it('logs the commits since a tag with subject and body intact', async () => {
    const log = await TestRepo.init();
    toClean.push(log);
    await log.commit('chore: start');
    await log.tag('v0.1.0');
    const tricky =
      'fix(parser): keep \x1e and \x1f bytes\n\nBody line with --format=%H and "quotes"\n\nBREAKING CHANGE: x';
    const hash = await log.commit(tricky);
    await log.commit('feat: one line');
    const client = new GitClient(log.dir, { env: ISOLATED_GIT_ENV });
    const commits = await client.logSince('v0.1.0');
    expect(commits.map((c) => c.subject)).toEqual([
      'feat: one line',
      'fix(parser): keep \x1e and \x1f bytes',
    ]);
    expect(commits[1]).toEqual({
      hash,
      subject: 'fix(parser): keep \x1e and \x1f bytes',
      body: 'Body line with --format=%H and "quotes"\n\nBREAKING CHANGE: x',
      message: tricky,
    });
    expect(await client.logSince(undefined)).toHaveLength(3);
    expect(await client.logSince('v0.1.0', 'refs/tags/v0.1.0')).toEqual([]);
  });

  it('tells a shallow clone from a full one', async () => {
    const shallow = await TestRepo.clone(repo.url, { depth: 1 });
    toClean.push(shallow);
    expect(await new GitClient(shallow.dir, { env: ISOLATED_GIT_ENV }).isShallow()).toBe(true);
    expect(await git.isShallow()).toBe(false);
  });

  it('creates an annotated tag with the bot identity when none is configured, and pushes it', async () => {
    const remote = await TestRepo.init({ bare: true });
    const work = await TestRepo.clone(remote.url);
    toClean.push(remote, work);
    await work.commit('feat: first');
    await work.git('push', '--quiet', 'origin', 'main');
    const client = new GitClient(work.dir, { env: withoutIdentity });
    expect(await client.configuredIdentity()).toEqual({ name: undefined, email: undefined });

    await client.createAnnotatedTag('v0.1.0', 'Release v0.1.0\n\n### Features\n\n- first; $(not run)\n');
    await client.pushTag('v0.1.0');

    expect(await remote.git('cat-file', '-t', 'v0.1.0')).toBe('tag');
    expect(
      await remote.git('for-each-ref', '--format=%(taggername) %(taggeremail)', 'refs/tags/v0.1.0'),
    ).toBe(`${GITHUB_ACTIONS_BOT.name} <${GITHUB_ACTIONS_BOT.email}>`);
    expect(await remote.git('for-each-ref', '--format=%(contents)', 'refs/tags/v0.1.0')).toBe(
      'Release v0.1.0\n\n### Features\n\n- first; $(not run)\n',
    );
    expect(await client.tagExists('v0.1.0')).toBe(true);
    expect(await client.tagExists('v0.2.0')).toBe(false);
    expect(await client.remoteTags()).toEqual(['v0.1.0']);

    await expect(client.createAnnotatedTag('v0.1.0', 'again')).rejects.toThrow(/already exists/);
  });

  it('keeps a configured identity as the tagger', async () => {
    const work = await TestRepo.init();
    toClean.push(work);
    await work.commit('chore: start');
    await work.git('config', 'user.name', 'Release Manager');
    await work.git('config', 'user.email', 'rm@example.test');
    const client = new GitClient(work.dir, { env: withoutIdentity });
    await client.createAnnotatedTag('v1.0.0', 'Release');
    expect(await work.git('for-each-ref', '--format=%(taggername)', 'refs/tags/v1.0.0')).toBe(
      'Release Manager',
    );
  });

  it('refuses to move a tag that exists on the remote', async () => {
    const remote = await TestRepo.init({ bare: true });
    const first = await TestRepo.clone(remote.url);
    toClean.push(remote, first);
    await first.commit('feat: a');
    await first.git('push', '--quiet', 'origin', 'main');
    await first.tag('v1.0.0');
    await first.git('push', '--quiet', 'origin', 'v1.0.0');
    const second = await TestRepo.clone(remote.url, { noTags: true });
    toClean.push(second);
    await second.commit('feat: b');
    await second.tag('v1.0.0', 'other');
    const client = new GitClient(second.dir, { env: ISOLATED_GIT_ENV });
    await expect(client.pushTag('v1.0.0')).rejects.toThrow(
      'tag v1.0.0 already exists on origin; release tags are never overwritten',
    );
    expect(await remote.git('rev-parse', 'v1.0.0^{commit}')).toBe(await first.git('rev-parse', 'HEAD'));
  });
});
