import { getOctokit } from '@actions/github';
import { ActionError } from './errors.js';

/**
 * The GitHub API as the runner describes it: `GITHUB_API_URL` (GitHub Enterprise Server, or a
 * loopback stand-in in tests) and `GITHUB_REPOSITORY`, read at call time.
 */
export type GitHubClient = ReturnType<typeof getOctokit>;

export function githubClient(token: string): GitHubClient {
  return getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}

/** `owner` and `repo` of the workflow's repository; `purpose` says what needs them in the error. */
export function githubRepository(purpose: string): { owner: string; repo: string } {
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) {
    throw new ActionError(`GITHUB_REPOSITORY must be 'owner/repo' ${purpose}, got '${repository}'`);
  }
  return { owner, repo };
}
