import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { GitClient } from '@incidents-pipeline/actions-lib/git';
import { log } from '@incidents-pipeline/actions-lib/log';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { parseVersion, releaseTagsOf, type ReleaseTag } from '@incidents-pipeline/actions-lib/version';
import { renderChangelog } from './changelog.js';
import { classifyCommit, type ClassifiedCommit } from './commits.js';
import { getInputs } from './inputs.js';
import { planNext, type VersionPlan } from './next-version.js';
import { publishTag } from './publish.js';
import { assertOnDefaultBranch, planValidate } from './validate-tag.js';

const FETCH_ALL = "use actions/checkout with 'fetch-depth: 0' so the whole history and all tags are fetched";

export async function run(): Promise<void> {
  const inputs = getInputs();
  const git = new GitClient(process.env.GITHUB_WORKSPACE || process.cwd());
  if (!(await git.isRepository())) {
    throw new ActionError(`${git.cwd} is not a git working copy; run actions/checkout first`);
  }
  if (await git.isShallow()) {
    throw new ActionError(`this is a shallow clone, so tags and history are missing; ${FETCH_ALL}`);
  }
  const releaseTags = await git.releaseTags(inputs.prefix);
  if (releaseTags.length === 0) await refuseUnfetchedTags(git, inputs.prefix);

  let plan: VersionPlan;
  let commits: ClassifiedCommit[];
  if (inputs.mode === 'validate') {
    const candidate = inputs.tag as ReleaseTag;
    const exists = await git.tagExists(candidate.tag);
    // Without push the tag must be there already: a delivery of a tag nobody pushed would otherwise
    // pass here and fail later, at the checkout of the tag. With push it is created on HEAD.
    if (!exists && !inputs.push) {
      throw new ActionError(
        `tag ${candidate.tag} does not exist in this checkout; push the tag first, or name an existing release tag (git tag --list '${inputs.prefix}*')`,
      );
    }
    const until = exists ? `refs/tags/${candidate.tag}` : 'HEAD';
    await assertOnDefaultBranch(git, candidate.tag, until, inputs.defaultBranch as string);
    plan = planValidate(candidate, releaseTags);
    commits = (await git.logSince(plan.previous?.tag, until)).map(classifyCommit);
  } else {
    // planNext derives from the newest stable tag, so these commits are also the changelog's.
    const base = releaseTags.find((t) => !t.isPrerelease);
    commits = (await git.logSince(base?.tag)).map(classifyCommit);
    plan = planNext(inputs, releaseTags, commits);
  }
  const changelog = renderChangelog(commits);
  log().info(`${plan.previous?.tag ?? '(none)'} -> ${plan.tag}: ${plan.reason}`);

  let published = false;
  if (inputs.push) {
    if (!plan.release) {
      log().info(`Nothing to release, so no tag is pushed (${plan.tag} stays the newest release)`);
    } else if (inputs.mode === 'validate' && (await git.tagExists(plan.tag))) {
      log().info(`${plan.tag} already exists (it is the tag being validated), so nothing is pushed`);
    } else {
      await publishTag(git, {
        tag: plan.tag,
        message: `Release ${plan.tag}\n\n${changelog || '(no changes)'}\n`,
        githubToken: inputs.githubToken,
      });
      published = true;
    }
  }

  const { major, minor, patch } = parseVersion(plan.version);
  setOutputs({
    version: plan.version,
    tag: plan.tag,
    'previous-version': plan.previous?.version,
    'previous-tag': plan.previous?.tag,
    bump: plan.bump,
    major,
    minor,
    patch,
    'is-prerelease': plan.isPrerelease,
    changelog,
  });
  await writeSummary(
    inputs.mode === 'validate' ? `Release tag ${plan.tag} validated` : `Next version: ${plan.version}`,
    [
      ['Previous version', plan.previous ? `${plan.previous.version} (${plan.previous.tag})` : 'none'],
      ['Version', `${plan.version} (${plan.tag})`],
      ['Bump', plan.bump],
      ['Why', plan.reason],
      ['Commits', String(commits.length)],
      ['Tag pushed', published ? 'yes' : 'no'],
    ],
    changelog ? `\n#### Changes\n\n${changelog}\n` : undefined,
  );
}

/**
 * No release tag locally is either a genuine first release or a checkout that did not fetch tags.
 * When the remote can be asked, it tells the two apart; when it cannot, the first release goes ahead
 * with a warning (a tag that turns out to exist is still refused when pushing).
 */
async function refuseUnfetchedTags(git: GitClient, prefix: string): Promise<void> {
  if (!(await git.hasRemote('origin'))) return;
  const remote = await git.remoteTags('origin');
  if (remote === undefined) {
    log().warning(
      `no release tags found locally and origin could not be asked; if this is not the first release, ${FETCH_ALL}`,
    );
    return;
  }
  const release = releaseTagsOf(remote, prefix);
  if (release.length > 0) {
    throw new ActionError(
      `origin has release tags (newest ${release[0].tag}) that this checkout has not fetched; ${FETCH_ALL}`,
    );
  }
}
