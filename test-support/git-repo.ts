import { execa } from 'execa';
import { tempDir } from './action-env.js';

/**
 * Real git repositories for tests, isolated from the machine's git configuration: no global or system
 * config is read, so a test sees what a fresh hosted runner sees. Commits get a fixed identity through
 * the environment; `withoutIdentity` is the environment of a runner where none is configured.
 */
export const ISOLATED_GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export const TEST_IDENTITY_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.test',
};

/** Environment overrides for a run that must find no git identity anywhere. */
export const withoutIdentity: Record<string, string | undefined> = {
  ...ISOLATED_GIT_ENV,
  GIT_AUTHOR_NAME: undefined,
  GIT_AUTHOR_EMAIL: undefined,
  GIT_COMMITTER_NAME: undefined,
  GIT_COMMITTER_EMAIL: undefined,
  EMAIL: undefined,
};

export class TestRepo {
  private constructor(
    readonly dir: string,
    private readonly cleanupDir: () => void,
  ) {}

  static async init(options: { bare?: boolean } = {}): Promise<TestRepo> {
    const { dir, cleanup } = tempDir('git-repo-');
    const repo = new TestRepo(dir, cleanup);
    await repo.git('init', '--quiet', '--initial-branch=main', ...(options.bare ? ['--bare'] : []));
    return repo;
  }

  /** A clone of `source` (a `file://` URL makes `--depth` really shallow). */
  static async clone(source: string, options: { depth?: number; noTags?: boolean } = {}): Promise<TestRepo> {
    const { dir, cleanup } = tempDir('git-clone-');
    const args = ['clone', '--quiet'];
    if (options.depth) args.push(`--depth=${options.depth}`);
    if (options.noTags) args.push('--no-tags');
    await execa('git', [...args, source, dir], { env: { ...ISOLATED_GIT_ENV, ...TEST_IDENTITY_ENV } });
    return new TestRepo(dir, cleanup);
  }

  get url(): string {
    return `file://${this.dir}`;
  }

  async git(...args: string[]): Promise<string> {
    const result = await execa('git', args, {
      cwd: this.dir,
      env: { ...ISOLATED_GIT_ENV, ...TEST_IDENTITY_ENV },
    });
    return result.stdout;
  }

  /** An empty commit with the given message; returns its hash. */
  async commit(message: string): Promise<string> {
    await this.git('commit', '--quiet', '--allow-empty', '--no-verify', '--cleanup=verbatim', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  async commits(...messages: string[]): Promise<void> {
    for (const message of messages) await this.commit(message);
  }

  /** A lightweight tag, or an annotated one when a message is given. */
  async tag(name: string, message?: string, target = 'HEAD'): Promise<void> {
    if (message === undefined) await this.git('tag', name, target);
    else await this.git('tag', '--annotate', '-m', message, name, target);
  }

  /** Many lightweight tags in one git process. */
  async tagMany(names: readonly string[], target = 'HEAD'): Promise<void> {
    const sha = await this.git('rev-parse', target);
    const script = names.map((n) => `create refs/tags/${n} ${sha}\n`).join('');
    await execa('git', ['update-ref', '--stdin'], { cwd: this.dir, input: script, env: ISOLATED_GIT_ENV });
  }

  cleanup(): void {
    this.cleanupDir();
  }
}
