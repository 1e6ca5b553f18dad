import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { GITHUB_ACTIONS_BOT, type GitClient } from '@incidents-pipeline/actions-lib/git';
import { githubClient, githubRepository } from '@incidents-pipeline/actions-lib/github';
import { log } from '@incidents-pipeline/actions-lib/log';

export interface PublishRequest {
  tag: string;
  message: string;
  /** With a token the tag is created through the REST API; without one, with git and `git push`. */
  githubToken: string | undefined;
}

/**
 * Creates the release tag on the current commit and publishes it. An existing tag, local or remote,
 * is an error: a release tag is never moved.
 */
export async function publishTag(git: GitClient, request: PublishRequest): Promise<void> {
  const { tag, message, githubToken } = request;
  if (await git.tagExists(tag)) {
    throw new ActionError(`tag ${tag} already exists; release tags are never overwritten`);
  }
  if (githubToken) {
    await createTagThroughApi(git, tag, message, githubToken);
  } else {
    await git.createAnnotatedTag(tag, message);
    await git.pushTag(tag);
  }
  log().info(`Published tag ${tag}`);
}

/**
 * Two REST calls, as git itself does it: a tag object pointing at the commit, then the ref pointing
 * at the tag object. The API URL is read at call time (not when `@actions/github` was loaded), so
 * GitHub Enterprise and test stand-ins are honoured.
 */
async function createTagThroughApi(
  git: GitClient,
  tag: string,
  message: string,
  token: string,
): Promise<void> {
  const { owner, repo } = githubRepository('to create a tag through the API');
  const sha = await git.resolveCommit('HEAD');
  const octokit = githubClient(token);
  await log().group(`Create tag ${tag} on ${sha} through the GitHub API`, async () => {
    try {
      const tagObject = await octokit.rest.git.createTag({
        owner,
        repo,
        tag,
        message,
        object: sha,
        type: 'commit',
        tagger: { ...GITHUB_ACTIONS_BOT, date: new Date().toISOString() },
      });
      await octokit.rest.git.createRef({ owner, repo, ref: `refs/tags/${tag}`, sha: tagObject.data.sha });
    } catch (error) {
      const status = (error as { status?: number }).status;
      const detail = error instanceof Error ? error.message : String(error);
      if (status === 422 && /already exists/i.test(detail)) {
        throw new ActionError(
          `tag ${tag} already exists in ${owner}/${repo}; release tags are never overwritten`,
        );
      }
      throw new ActionError(
        `creating tag ${tag} through the GitHub API failed${status ? ` (HTTP ${status})` : ''}: ${detail}` +
          (status === 403 || status === 404 ? `; the token needs 'contents: write' on ${owner}/${repo}` : ''),
      );
    }
  });
}
