import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/**
 * How the workflows behave when runs meet: each other on GitHub (concurrency groups), earlier runs
 * on the same machine under act (containers and kind clusters left behind, the user's own cluster),
 * and the pins that must keep getting updates. Expressions are evaluated with GitHub's own expression
 * library and `run:` steps that compute outputs are executed, so the checks are of what a run sees.
 */

type Mapping = Record<string, unknown>;
interface Step extends Mapping {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job extends Mapping {
  steps?: Step[];
  concurrency?: { group?: string };
}
interface Workflow {
  file: string;
  doc: { concurrency?: { group?: string }; jobs: Record<string, Job> };
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const workflows: Workflow[] = readdirSync(path.join(ROOT, '.github/workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, doc: parseYaml(read(`.github/workflows/${file}`)) as Workflow['doc'] }));
const workflow = (file: string) => workflows.find((w) => w.file === file)!;
const jobs = workflows.flatMap((w) =>
  Object.entries(w.doc.jobs).map(([id, job]) => ({ where: `${w.file} > ${id}`, workflow: w, job })),
);
const usesKind = (job: Job) => (job.steps ?? []).some((s) => s.uses?.startsWith('helm/kind-action@'));
const kindConfigName = (parseYaml(read('kind-config.yaml')) as { name: string }).name;

/** Evaluates every `${{ }}` in a string the way the runner does, with the given contexts. */
function evaluate(text: string, contexts: Mapping): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => {
    const lexed = new Lexer(expression.trim()).lex();
    const parsed = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
    const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
    return new Evaluator(parsed, context).evaluate().coerceString();
  });
}

/** The outputs a `run:` step writes to GITHUB_OUTPUT, with `env` as the job's environment. */
function runStep(step: Step, env: Record<string, string>): Record<string, string> {
  const { dir, cleanup } = tempDir('workflow-step-');
  try {
    const output = path.join(dir, 'output');
    writeFileSync(output, '');
    execFileSync('bash', ['-e', '-c', step.run ?? ''], {
      env: { PATH: process.env.PATH, ...env, GITHUB_OUTPUT: output },
    });
    return Object.fromEntries(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } finally {
    cleanup();
  }
}

/**
 * The values a job's steps get for `with:` and `env:`, in order, as on GitHub (`ACT` unset) or under
 * act (`ACT=true`): earlier `run:` steps' outputs feed later expressions.
 */
function resolveSteps(job: Job, act: boolean): { step: Step; with: Mapping; env: Mapping }[] {
  const env: Record<string, string> = act ? { ACT: 'true' } : {};
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const contexts = () => ({
    env,
    steps,
    github: {},
    needs: {},
    inputs: {},
    runner: { temp: '/tmp' },
    secrets: {},
    matrix: {},
    strategy: {},
    job: {},
    vars: {},
  });
  return (job.steps ?? []).map((step) => {
    const resolve = (values: Mapping = {}) =>
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? evaluate(v, contexts()) : v]),
      );
    const resolved = { step, with: resolve(step.with), env: resolve(step.env) };
    if (step.id && step.run && !step.run.includes('${{') && /GITHUB_OUTPUT/.test(step.run)) {
      steps[step.id] = { outputs: runStep(step, { ...env, ...(resolved.env as Record<string, string>) }) };
    }
    return resolved;
  });
}

describe('concurrency', () => {
  test('jobs that create their own kind cluster wait in no group, where GitHub would cancel queued runs', () => {
    const kindJobs = jobs.filter(({ job }) => usesKind(job));
    expect(kindJobs.length).toBeGreaterThan(0);
    expect(kindJobs.filter(({ job }) => job.concurrency !== undefined).map(({ where }) => where)).toEqual([]);
  });

  test('one delivery group per version, whether it is named v0.2.0 or 0.2.0', () => {
    const group = workflow('deliver.yml').doc.concurrency?.group ?? '';
    const groupOf = (inputs: Mapping, refName: string) =>
      evaluate(group, { inputs, github: { ref_name: refName } });
    const tagPush = groupOf({}, 'v0.2.0');
    expect(groupOf({ version: '0.2.0' }, 'main')).toBe(tagPush);
    expect(groupOf({ version: 'v0.2.0' }, 'main')).toBe(tagPush);
    expect(groupOf({ version: '0.3.0' }, 'main')).not.toBe(tagPush);
    expect(groupOf({}, 'v0.3.0')).not.toBe(tagPush);
  });
});

describe('local runs under act', () => {
  const kindJobs = jobs.filter(({ job }) => usesKind(job));

  test.each(kindJobs.map(({ where, job }) => [where, job] as const))(
    '%s uses the kind-config.yaml cluster on GitHub and another one under act, for every step',
    (_where, job) => {
      for (const act of [false, true]) {
        const resolved = resolveSteps(job, act);
        const kind = resolved.find(({ step }) => step.uses?.startsWith('helm/kind-action@'));
        const created = String(kind?.with.cluster_name);
        expect({ act, created: act ? created !== kindConfigName : created === kindConfigName }).toEqual({
          act,
          created: true,
        });
        // Whatever loads images into the cluster names the same one.
        const loads = resolved.filter(
          ({ step }) => step.uses === './actions/build-image' && step.with?.['kind-cluster'],
        );
        for (const load of loads) expect(load.with['kind-cluster']).toBe(created);
        const pulled = resolved.filter(({ step }) => step.uses === './actions/kind-load');
        for (const load of pulled) expect(load.with.cluster).toBe(created);
      }
    },
  );

  test('the smoke container of ci.yml is removed before it starts and after the job, whatever happened', () => {
    const steps = workflow('ci.yml').doc.jobs.image.steps ?? [];
    const removes = (step: Step) =>
      /\bdocker (container )?rm (-f|--force) incidents-smoke\b/.test(step.run ?? '');
    const start = steps.findIndex((s) => /\bdocker run\b[\s\S]*--name incidents-smoke\b/.test(s.run ?? ''));
    expect(start).toBeGreaterThan(0);
    expect(steps.slice(0, start).some(removes)).toBe(true);
    const after = steps.slice(start + 1).filter(removes);
    expect(after.map((s) => /always\(\)/.test(s.if ?? ''))).toContain(true);
  });
});

describe('images rebuilt from a tag', () => {
  test('a build from sources exported outside the checkout names the commit they come from', () => {
    const builds = jobs.flatMap(({ where, job }) =>
      (job.steps ?? [])
        .filter(
          (s) => s.uses === './actions/build-image' && /runner\.temp/.test(String(s.with?.context ?? '')),
        )
        .map((s) => ({ where, revision: String(s.with?.revision ?? '') })),
    );
    expect(builds.length).toBeGreaterThan(0);
    for (const build of builds)
      expect(build).toEqual({ where: build.where, revision: expect.stringMatching(/^refs\/tags\//) });
  });
});

describe('release.yml runs only on the default branch', () => {
  // It tags the commit it runs on: dispatched on another branch it would release unreviewed code.
  const tagJob = workflow('release.yml').doc.jobs.tag;
  const guard = (tagJob.steps ?? []).findIndex((s) => s.id === 'default-branch');

  test('the first step of the tag job refuses any other ref, and says where to dispatch it', () => {
    expect(guard).toBe(0);
    const step = tagJob.steps![guard];
    const check = (ref: string, defaultBranch: string) => {
      const env = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([k, v]) => [
          k,
          evaluate(String(v), { github: { ref, event: { repository: { default_branch: defaultBranch } } } }),
        ]),
      );
      try {
        runStep(step, env);
        return 'ran';
      } catch (error) {
        return String((error as { stdout?: Buffer }).stdout ?? error);
      }
    };
    expect(check('refs/heads/main', 'main')).toBe('ran');
    expect(check('refs/heads/trunk', 'trunk')).toBe('ran');
    expect(check('refs/heads/feature', 'main')).toBe(
      '::error::release.yml tags the commit it runs on, so it runs only on the default branch main: dispatch it on main, not on refs/heads/feature\n',
    );
    expect(check('refs/tags/v1.0.0', 'main')).toMatch(/not on refs\/tags\/v1\.0\.0/);
    expect(check('refs/heads/main', '')).toMatch(/^::error::the event names no default branch/);
  });
});

describe('pin updates', () => {
  test('Dependabot watches every ecosystem the repository pins, where its manifests are', () => {
    const dependabot = parseYaml(read('.github/dependabot.yml')) as {
      version: number;
      updates: { 'package-ecosystem': string; directory: string }[];
    };
    const pinned = new Set<string>();
    if (jobs.some(({ job }) => (job.steps ?? []).some((s) => /^[^./][^@]*@[0-9a-f]{40}$/.test(s.uses ?? ''))))
      pinned.add('github-actions');
    if (read('package-lock.json')) pinned.add('npm');
    expect(dependabot.version).toBe(2);
    const watched = new Map(dependabot.updates.map((u) => [u['package-ecosystem'], u.directory]));
    expect([...pinned].filter((ecosystem) => !watched.has(ecosystem))).toEqual([]);
    // The lockfile of the npm workspaces is at the root; workflows are found from the root.
    for (const ecosystem of pinned)
      expect({ ecosystem, directory: watched.get(ecosystem) }).toEqual({ ecosystem, directory: '/' });
  });
});

describe('docs/act.md', () => {
  const doc = read('docs/act.md');
  /** The first act release that runs actions declaring `using: node24`. */
  const FIRST_ACT_WITH_NODE24 = [0, 2, 81];

  test('asks for an act that runs node24 actions, which every action here declares', () => {
    const actions = readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => {
        try {
          return [parseYaml(read(`actions/${e.name}/action.yml`)) as { runs: { using: string } }];
        } catch {
          return [];
        }
      });
    expect(actions.some((a) => a.runs.using === 'node24')).toBe(true);
    const minimum = /act (\d+)\.(\d+)\.(\d+) or newer/.exec(doc)?.slice(1).map(Number) ?? [];
    const atLeast = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    expect(minimum).toHaveLength(3);
    expect(atLeast(minimum, FIRST_ACT_WITH_NODE24)).toBeGreaterThanOrEqual(0);
  });

  test('says that act takes GITHUB_TOKEN from a logged-in gh', () => {
    const token = doc
      .split('\n')
      .filter((l, i, all) => /GITHUB_TOKEN/.test(l) || /GITHUB_TOKEN/.test(all[i - 1] ?? ''));
    expect(token.join(' ')).toMatch(/gh auth token/);
  });
});

describe('lasting environments', () => {
  const TARGETS = ['staging', 'production'];
  const contextsFor = (target: string) => ({
    inputs: { environment: target },
    needs: { resolve: { outputs: { environment: target } } },
    vars: {},
  });
  // The jobs whose environment is the target cluster (daily-job.yml's environment only guards a secret).
  const environmentName = (job: Job) =>
    typeof job.environment === 'string' ? job.environment : (job.environment as { name?: string })?.name;
  const lasting = jobs.filter(({ job }) =>
    TARGETS.every((target) => evaluate(environmentName(job) ?? '', contextsFor(target)) === target),
  );
  const stepIndex = (job: Job, match: (s: Step) => boolean) => (job.steps ?? []).findIndex(match);
  const reachesCluster = (s: Step) =>
    ['./actions/helm-deploy', './actions/helm-rollback', './actions/release-report'].includes(s.uses ?? '') ||
    /\b(kubectl|helm)\s/.test(s.run ?? '');

  test('deploys and rollbacks run in the environment, in its one group, never cancelled', () => {
    expect(lasting.map(({ where }) => where).sort()).toEqual([
      'deploy.yml > deploy-environment',
      'rollback.yml > rollback',
    ]);
    for (const { where, job } of lasting) {
      const environment = job.environment as { name: string; url?: string };
      const concurrency = job.concurrency as { group: string; 'cancel-in-progress'?: boolean };
      for (const target of TARGETS) {
        expect({ where, target, name: evaluate(environment.name, contextsFor(target)) }).toEqual({
          where,
          target,
          name: target,
        });
        expect({ where, group: evaluate(concurrency.group, contextsFor(target)) }).toEqual({
          where,
          group: `environment-${target}`,
        });
      }
      expect({ where, cancel: concurrency['cancel-in-progress'] }).toEqual({ where, cancel: false });
      expect(environment.url).toMatch(/\S/);
      expect(usesKind(job)).toBe(false);
    }
  });

  test('the cluster comes from the environment secret through the kubeconfig action, before anything reaches it', () => {
    for (const { where, job } of lasting) {
      const kubeconfig = stepIndex(job, (s) => s.uses === './actions/kubeconfig');
      const firstReach = stepIndex(job, reachesCluster);
      expect({ where, kubeconfig: kubeconfig >= 0, before: kubeconfig < firstReach }).toEqual({
        where,
        kubeconfig: true,
        before: true,
      });
      // History and drift in the summary, after a failed operation too.
      const report = job.steps?.find((s) => s.uses === './actions/release-report');
      expect({ where, report: /always\(\)/.test(report?.if ?? '') }).toEqual({ where, report: true });
      // The action lists the release's pods itself (KubectlClient): no workflow step does it for it.
      const podSteps = job.steps?.filter((s) => /\bkubectl get pods\b/.test(s.run ?? '')).length;
      expect({ where, podSteps }).toEqual({ where, podSteps: 0 });
      expect(report?.with).not.toHaveProperty('pods-file');
      expect(job.steps?.[kubeconfig].with).toEqual({
        kubeconfig: '${{ secrets.KUBECONFIG }}',
        'kubeconfig-b64': '${{ secrets.KUBECONFIG_B64 }}',
      });
    }
  });

  test('deploy.yml: kind keeps the throwaway cluster, staging and production get the published image by digest', () => {
    const { jobs: deployJobs } = workflow('deploy.yml').doc;
    const source = deployJobs.resolve.steps!.find((s) => s.id === 'source')!;
    const resolveFor = (environment: string, publish = '') =>
      runStep(source, {
        ENVIRONMENT: environment,
        PUBLISH_IMAGE: publish,
        IMAGE_REGISTRY: '',
        OWNER: 'Example',
      });
    expect(resolveFor('kind')).toEqual({
      source: 'rebuild',
      registry: '',
      'registry-host': '',
      environment: 'kind',
    });
    expect(resolveFor('kind', 'true')).toMatchObject({ source: 'registry', registry: 'ghcr.io/example' });
    for (const target of TARGETS) {
      // Publishing switched off does not make a lasting environment rebuild.
      expect(resolveFor(target)).toEqual({
        source: 'registry',
        registry: 'ghcr.io/example',
        'registry-host': 'ghcr.io',
        environment: target,
      });
    }
    expect(() => resolveFor('prod')).toThrow();

    const runs = (id: string, environment: string) =>
      evaluate(deployJobs[id].if as string, { needs: { resolve: { outputs: { environment } } } });
    expect(['kind', ...TARGETS].map((e) => [runs('deploy', e), runs('deploy-environment', e)])).toEqual([
      ['true', 'false'],
      ['false', 'true'],
      ['false', 'true'],
    ]);

    const deploy = deployJobs['deploy-environment'].steps!.find((s) => s.uses === './actions/helm-deploy')!;
    const digest = `sha256:${'a'.repeat(64)}`;
    const withValues = (key: string) =>
      evaluate(String(deploy.with?.[key]), {
        steps: { image: { outputs: { digest } } },
        needs: { resolve: { outputs: { registry: 'ghcr.io/example', version: '0.2.0' } } },
        env: {},
      });
    expect(withValues('set')).toBe(`image.digest=${digest}`);
    expect(withValues('image-repository')).toBe('ghcr.io/example/incidents-service');
    expect(withValues('create-namespace')).toBe('false');
    expect(withValues('rollback-on-failure')).toBe('true');
  });

  test("a delivery's hand-over refuses to move an environment back; a dispatch of deploy.yml may", () => {
    const deploy = workflow('deploy.yml').doc.jobs['deploy-environment'].steps!.find(
      (s) => s.uses === './actions/helm-deploy',
    )!;
    const refuses = (inputs: Mapping) => evaluate(String(deploy.with?.['refuse-downgrade']), { inputs });
    const handOver = (workflow('deliver.yml').doc.jobs['deploy-environment'].with ?? {}) as Mapping;
    // Called by deliver.yml: the caller's `with:`; dispatched: the dispatch's inputs, which lack it.
    expect(refuses(handOver)).toBe('true');
    expect(refuses({ version: '0.1.0', environment: 'staging' })).toBe('false');
  });

  test('deliver.yml publishes where deploy.yml pulls from, and both log in to that registry', () => {
    const publish = workflow('deliver.yml').doc.jobs.publish.steps!;
    const deliverStep = publish.find((s) => s.id === 'registry')!;
    const resolve = workflow('deploy.yml').doc.jobs.resolve.steps!.find((s) => s.id === 'source')!;
    for (const IMAGE_REGISTRY of ['', '127.0.0.1:5000/example']) {
      const env = { IMAGE_REGISTRY, OWNER: 'Example' };
      const published = runStep(deliverStep, env);
      const pulled = runStep(resolve, { ...env, ENVIRONMENT: 'staging', PUBLISH_IMAGE: 'true' });
      expect(published).toEqual({ registry: pulled.registry, 'registry-host': pulled['registry-host'] });
      expect(published['registry-host']).toBe(IMAGE_REGISTRY ? '127.0.0.1:5000' : 'ghcr.io');
    }
    const logins = (steps: Step[]) =>
      steps.filter((s) => s.uses?.startsWith('docker/login-action@')).map((s) => s.with?.registry);
    expect(logins(publish)).toEqual(['${{ steps.registry.outputs.registry-host }}']);
    const deployJobs = workflow('deploy.yml').doc.jobs;
    expect([...logins(deployJobs.deploy.steps!), ...logins(deployJobs['deploy-environment'].steps!)]).toEqual(
      ['${{ needs.resolve.outputs.registry-host }}', '${{ needs.resolve.outputs.registry-host }}'],
    );
    expect(publish.find((s) => s.uses === './actions/build-image')?.with?.registry).toBe(
      '${{ steps.registry.outputs.registry }}',
    );
  });

  test('deliver.yml: the input, else DELIVER_ENVIRONMENT, else kind; a lasting one only with publishing, through deploy.yml', () => {
    const { jobs: deliverJobs } = workflow('deliver.yml').doc;
    const target = deliverJobs.validate.steps!.find((s) => s.id === 'target')!;
    const targetFor = (requested: string, fallback: string, publish = 'true') =>
      runStep(target, { REQUESTED: requested, DEFAULT: fallback, PUBLISH_IMAGE: publish }).environment;
    expect(targetFor('', '')).toBe('kind');
    expect(targetFor('default', 'staging')).toBe('staging');
    expect(targetFor('', 'production')).toBe('production');
    expect(targetFor('kind', 'production')).toBe('kind');
    expect(targetFor('kind', '', '')).toBe('kind');
    expect(() => targetFor('staging', '', '')).toThrow();
    expect(() => targetFor('', 'qa')).toThrow();

    const handOver = deliverJobs['deploy-environment'];
    expect(handOver.uses).toBe('./.github/workflows/deploy.yml');
    const runs = (environment: string, published: string) =>
      evaluate(handOver.if as string, {
        needs: { validate: { outputs: { environment } }, publish: { result: published } },
      });
    expect([runs('staging', 'success'), runs('kind', 'success'), runs('production', 'skipped')]).toEqual([
      'true',
      'false',
      'false',
    ]);
  });
});
