import { ActionError } from './errors.js';
import { meaningfulLine, runTool, ToolError, type RunOptions } from './process.js';
import { releaseTagsOf, type ReleaseTag } from './version.js';

/** One commit as `git log` reports it. */
export interface CommitRecord {
  hash: string;
  /** First line of the message. */
  subject: string;
  /** The rest of the message after the subject, trimmed. */
  body: string;
  /** The whole raw message, as a commit parser wants it. */
  message: string;
}

export interface Identity {
  name: string;
  email: string;
}

/**
 * The identity used for tags when the checkout has none configured (a hosted runner has none).
 * It is the account GitHub shows for work done by `GITHUB_TOKEN`.
 */
export const GITHUB_ACTIONS_BOT: Identity = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

export interface GitClientOptions {
  /** Extra environment for every git command (tests set identities and config isolation here). */
  env?: Record<string, string | undefined>;
}

/**
 * A small typed client over the git command line, for one working copy. Reads are silent (their
 * output is parsed, not shown); writes are shown in log groups. Refs are always passed fully qualified
 * (`refs/tags/…`) so a branch with the same name as a tag can never be picked up instead.
 */
export class GitClient {
  constructor(
    readonly cwd: string = process.cwd(),
    private readonly options: GitClientOptions = {},
  ) {}

  private run(args: string[], extra: Partial<RunOptions> = {}) {
    return runTool('git', args, {
      cwd: this.cwd,
      group: false,
      ...extra,
      env: { ...this.options.env, ...extra.env },
    });
  }

  async isRepository(): Promise<boolean> {
    const result = await this.run(['rev-parse', '--is-inside-work-tree'], { allowFailure: true });
    return result.exitCode === 0 && result.stdout.trim() === 'true';
  }

  /** True for a clone made with `--depth` (what `actions/checkout` does unless `fetch-depth: 0`). */
  async isShallow(): Promise<boolean> {
    const result = await this.run(['rev-parse', '--is-shallow-repository']);
    return result.stdout.trim() === 'true';
  }

  /** Every tag name in the repository. `for-each-ref` reads refs locally: no pages, no limit. */
  async listTags(): Promise<string[]> {
    const result = await this.run(['for-each-ref', '--format=%(refname:strip=2)', 'refs/tags/']);
    return lines(result.stdout);
  }

  /** Release tags (`prefix` + strict semver), newest first by semver precedence. */
  async releaseTags(prefix: string): Promise<ReleaseTag[]> {
    return releaseTagsOf(await this.listTags(), prefix);
  }

  async tagExists(tag: string): Promise<boolean> {
    const result = await this.run(['rev-parse', '--quiet', '--verify', `refs/tags/${tag}`], {
      allowFailure: true,
    });
    return result.exitCode === 0;
  }

  /**
   * The fully qualified ref of `branch`: the remote's copy when it was fetched (what a checkout with
   * `fetch-depth: 0` has), else a local branch of that name (a local clone without the remote, as act
   * copies it); undefined when neither exists.
   */
  async branchRef(branch: string, remote = 'origin'): Promise<string | undefined> {
    for (const ref of [`refs/remotes/${remote}/${branch}`, `refs/heads/${branch}`]) {
      const result = await this.run(['rev-parse', '--quiet', '--verify', '--end-of-options', ref], {
        allowFailure: true,
      });
      if (result.exitCode === 0) return ref;
    }
    return undefined;
  }

  /** Whether commit `ancestor` is reachable from `descendant` (`git merge-base --is-ancestor`). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant], {
      allowFailure: true,
    });
    if (result.exitCode === 0) return true;
    if (result.exitCode === 1) return false;
    throw new ToolError(
      `git merge-base --is-ancestor failed (exit ${result.exitCode}): ${meaningfulLine(result.stderr)}`,
      result,
    );
  }

  /** The commit a revision points to (tags are peeled). */
  async resolveCommit(revision = 'HEAD'): Promise<string> {
    const result = await this.run(['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`]);
    return result.stdout.trim();
  }

  /**
   * When a commit was made (its committer time). Reads only the commit object itself, so it works in
   * a shallow checkout, which has the commits it checked out but not their ancestors.
   */
  async commitTime(revision = 'HEAD'): Promise<Date> {
    const result = await this.run([
      'show',
      '--no-patch',
      '--format=%ct',
      '--end-of-options',
      `${revision}^{commit}`,
    ]);
    return new Date(Number(result.stdout.trim()) * 1000);
  }

  /**
   * Commits reachable from `to` but not from tag `since` (all of history when `since` is undefined),
   * newest first. Each record is NUL-terminated (`-z`), a byte git never allows in a commit message,
   * and starts with the hash on its own line, so any message text parses unambiguously.
   */
  async logSince(since: string | undefined, to = 'HEAD'): Promise<CommitRecord[]> {
    const range = since === undefined ? to : `refs/tags/${since}..${to}`;
    const result = await this.run(['log', '-z', '--format=%H%n%B', range, '--']);
    return result.stdout
      .split('\0')
      .filter((record) => record.trim() !== '')
      .map((record) => {
        const newline = record.indexOf('\n');
        const hash = record.slice(0, newline).trim();
        const message = record.slice(newline + 1).replace(/\s+$/, '');
        const firstBreak = message.indexOf('\n');
        const subject = firstBreak < 0 ? message : message.slice(0, firstBreak);
        const body = firstBreak < 0 ? '' : message.slice(firstBreak + 1).trim();
        return { hash, subject, body, message };
      });
  }

  /** The identity configured for this working copy (config or environment), if any. */
  async configuredIdentity(): Promise<Partial<Identity>> {
    const get = async (key: string) => {
      const result = await this.run(['config', '--get', key], { allowFailure: true });
      return result.exitCode === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : undefined;
    };
    const env = { ...process.env, ...this.options.env };
    return {
      name: env.GIT_COMMITTER_NAME || (await get('user.name')),
      email: env.GIT_COMMITTER_EMAIL || (await get('user.email')),
    };
  }

  /**
   * Creates an annotated tag on `target`. The tagger is the configured identity; whatever part of it
   * is missing comes from `fallbackIdentity` rather than from git's guess at `user@hostname`.
   * Refuses to replace an existing tag.
   */
  async createAnnotatedTag(
    tag: string,
    message: string,
    options: { target?: string; fallbackIdentity?: Identity } = {},
  ): Promise<void> {
    const { target = 'HEAD', fallbackIdentity = GITHUB_ACTIONS_BOT } = options;
    const configured = await this.configuredIdentity();
    const env: Record<string, string> = {};
    if (!configured.name) env.GIT_COMMITTER_NAME = fallbackIdentity.name;
    if (!configured.email) env.GIT_COMMITTER_EMAIL = fallbackIdentity.email;
    // The message goes through stdin, so its text is never an argument; `whitespace` cleanup keeps
    // markdown headings that the default cleanup would strip as `#` comments.
    await this.run(
      ['tag', '--annotate', '--file=-', '--cleanup=whitespace', '--end-of-options', tag, target],
      {
        input: message,
        env,
        group: `Create tag ${tag}`,
      },
    );
  }

  /** Pushes one tag, refusing to move it if the remote already has a tag of that name. */
  async pushTag(tag: string, remote = 'origin'): Promise<void> {
    // No leading `+` in the refspec: an existing remote tag makes the push fail instead of moving it.
    const result = await this.run(['push', '--end-of-options', remote, `refs/tags/${tag}:refs/tags/${tag}`], {
      group: `Push tag ${tag} to ${remote}`,
      allowFailure: true,
    });
    if (result.exitCode === 0) return;
    if (/\(already exists\)/.test(result.stderr)) {
      throw new ActionError(`tag ${tag} already exists on ${remote}; release tags are never overwritten`);
    }
    throw new ToolError(
      `git push failed (exit ${result.exitCode}): ${meaningfulLine(result.stderr)}`,
      result,
    );
  }

  async hasRemote(remote = 'origin'): Promise<boolean> {
    const result = await this.run(['remote'], { allowFailure: true });
    return lines(result.stdout).includes(remote);
  }

  /** Tag names on a remote (`git ls-remote --tags`); `undefined` when the remote cannot be reached. */
  async remoteTags(remote = 'origin'): Promise<string[] | undefined> {
    const result = await this.run(['ls-remote', '--tags', '--refs', '--end-of-options', remote], {
      allowFailure: true,
      timeoutMs: 60_000,
    });
    if (result.exitCode !== 0) return undefined;
    return lines(result.stdout)
      .map((line) => line.split('\t')[1] ?? '')
      .filter((ref) => ref.startsWith('refs/tags/'))
      .map((ref) => ref.slice('refs/tags/'.length));
  }
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
