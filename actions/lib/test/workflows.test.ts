/**
 * The workflow checks that are ours: how the workflows use our own actions (`with:` keys against
 * their action.yml, the outputs they reference), the `env.ACT` guards that let act run them, the
 * concurrency and permission rules of this pipeline, and the pins that must agree with the tool
 * bootstrap. Syntax, expressions, contexts, shell scripts and security are linted by the real
 * actionlint and zizmor in `npm run lint` (workflow-lint.test.ts shows that lint catches them).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { TOOL_PINS } from '../src/tools.js';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';
import { DEV_TOOL_PINS } from '@incidents-pipeline/devtools/tools/pins';

type Mapping = Record<string, unknown>;

const WORKFLOWS_DIR = path.join(ROOT, '.github/workflows');
const ACT_DIR = path.join(ROOT, '.github/act');
const EXPECTED_WORKFLOWS = ['ci.yml', 'daily-job.yml', 'deliver.yml', 'deploy.yml', 'release.yml'];

interface WorkflowFile {
  file: string;
  text: string;
  doc: Mapping;
}

interface JobRef {
  workflow: WorkflowFile;
  id: string;
  job: Mapping;
}

interface StepRef extends JobRef {
  index: number;
  step: Mapping;
  /** For messages: `deliver.yml > deploy > step 3 (id build)`. */
  where: string;
}

interface ActionDefinition {
  inputs: Map<string, { required: boolean; hasDefault: boolean }>;
  outputs: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Loading

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asMapping(value: unknown): Mapping {
  return isMapping(value) ? value : {};
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function workflowFileNames(): string[] {
  if (!existsSync(WORKFLOWS_DIR)) return [];
  return readdirSync(WORKFLOWS_DIR)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

function loadWorkflow(file: string): WorkflowFile {
  const text = readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8');
  // YAML 1.2 (the `yaml` default) keeps the key `on` a string, as GitHub does.
  return { file, text, doc: asMapping(parseYaml(text)) };
}

const workflows: WorkflowFile[] = workflowFileNames().map(loadWorkflow);

function jobsOf(workflow: WorkflowFile): JobRef[] {
  return Object.entries(asMapping(workflow.doc.jobs)).map(([id, job]) => ({
    workflow,
    id,
    job: asMapping(job),
  }));
}

function stepsOf(jobRef: JobRef): StepRef[] {
  const steps = Array.isArray(jobRef.job.steps) ? jobRef.job.steps : [];
  return steps.map((step, index) => {
    const mapping = asMapping(step);
    const id = asString(mapping.id);
    return {
      ...jobRef,
      index,
      step: mapping,
      where: `${jobRef.workflow.file} > ${jobRef.id} > step ${index + 1}${id ? ` (id ${id})` : ''}`,
    };
  });
}

const allJobs: JobRef[] = workflows.flatMap(jobsOf);
const allSteps: StepRef[] = allJobs.flatMap(stepsOf);

function usesOf(step: Mapping): string | undefined {
  return asString(step.uses);
}

function localActionName(uses: string | undefined): string | undefined {
  return uses?.match(/^\.\/actions\/([\w-]+)\/?$/)?.[1];
}

function withOf(step: Mapping): Mapping {
  return asMapping(step.with);
}

const actionCache = new Map<string, ActionDefinition>();

/** The inputs and outputs one of our actions declares. */
function loadAction(name: string): ActionDefinition {
  const cached = actionCache.get(name);
  if (cached) return cached;
  const file = path.join(ROOT, 'actions', name, 'action.yml');
  if (!existsSync(file)) {
    throw new Error(`actions/${name}/action.yml does not exist, but a workflow uses ./actions/${name}`);
  }
  const doc = asMapping(parseYaml(readFileSync(file, 'utf8')));
  const inputs = new Map<string, { required: boolean; hasDefault: boolean }>();
  for (const [key, spec] of Object.entries(asMapping(doc.inputs))) {
    const mapping = asMapping(spec);
    inputs.set(key, { required: mapping.required === true, hasDefault: mapping.default !== undefined });
  }
  const definition = { inputs, outputs: new Set(Object.keys(asMapping(doc.outputs))) };
  actionCache.set(name, definition);
  return definition;
}

/** Every `${{ ... }}` expression in a value, however deeply nested. */
function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (isMapping(value)) return Object.values(value).flatMap(expressionsIn);
  return [];
}

/** Expression text of an `if:` (GitHub accepts it with or without `${{ }}`). */
function conditionOf(node: Mapping): string {
  const condition = asString(node.if) ?? '';
  return condition.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');
}

function triggersOf(workflow: WorkflowFile): Mapping {
  const on = workflow.doc.on;
  if (typeof on === 'string') return { [on]: {} };
  if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [String(event), {}]));
  return asMapping(on);
}

function workflowInputs(workflow: WorkflowFile, event: 'workflow_dispatch' | 'workflow_call'): Mapping {
  return asMapping(asMapping(triggersOf(workflow)[event]).inputs);
}

function permissionsOf(node: Mapping): Mapping | string | undefined {
  const permissions = node.permissions;
  if (typeof permissions === 'string') return permissions;
  if (permissions === null) return {};
  return isMapping(permissions) ? permissions : undefined;
}

function writeScopes(permissions: Mapping | string | undefined): string[] {
  if (permissions === undefined) return [];
  if (typeof permissions === 'string') return permissions === 'write-all' ? ['*'] : [];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

function kindConfig(): { name: string; images: string[] } {
  const doc = asMapping(parseYaml(readFileSync(path.join(ROOT, 'kind-config.yaml'), 'utf8')));
  const nodes = Array.isArray(doc.nodes) ? doc.nodes.map(asMapping) : [];
  return {
    name: asString(doc.name) ?? '',
    images: nodes.map((node) => asString(node.image)).filter((image): image is string => image !== undefined),
  };
}

/** A GitHub filter glob (`*` within a path segment, `**` across) as a regular expression. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------------

describe('workflow files', () => {
  test('the pipeline workflows exist', () => {
    expect(workflowFileNames()).toEqual(expect.arrayContaining(EXPECTED_WORKFLOWS));
  });

  test.each(workflows.map((w) => [w.file, w] as const))(
    '%s declares least-privilege permissions: top level none or read-only, writes per job',
    (_file, workflow) => {
      const top = permissionsOf(workflow.doc);
      expect(top).toBeDefined();
      expect({ file: workflow.file, topLevelWrites: writeScopes(top) }).toEqual({
        file: workflow.file,
        topLevelWrites: [],
      });
      for (const { id, job } of jobsOf(workflow)) {
        expect({ job: id, permissions: permissionsOf(job) }).not.toEqual({
          job: id,
          permissions: 'write-all',
        });
      }
    },
  );

  test.each(workflows.map((w) => [w.file, w] as const))(
    "%s waits in one concurrency group: the workflow's, or its jobs' own, never both",
    (_file, workflow) => {
      const groupOf = (node: Mapping) => {
        const concurrency = node.concurrency;
        return typeof concurrency === 'string' ? concurrency : asString(asMapping(concurrency).group);
      };
      const top = groupOf(workflow.doc);
      const jobGroups = jobsOf(workflow).filter(({ job }) => groupOf(job) !== undefined);
      // GitHub keeps one pending run per group and cancels the older pending one: every extra group
      // a run waits in is one more place where a queued deploy or rollback can be dropped.
      expect({ file: workflow.file, serialised: top !== undefined || jobGroups.length > 0 }).toEqual({
        file: workflow.file,
        serialised: true,
      });
      expect({ file: workflow.file, both: top !== undefined && jobGroups.length > 0 }).toEqual({
        file: workflow.file,
        both: false,
      });
    },
  );

  test('every third-party action is pinned to a full commit SHA with its version in a comment, one pin per action', () => {
    const problems: string[] = [];
    const pins = new Map<string, string>();
    for (const workflow of workflows) {
      workflow.text.split('\n').forEach((line, index) => {
        const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!uses || uses[1].startsWith('./')) return;
        const where = `${workflow.file}:${index + 1}`;
        const [, reference, rest] = uses;
        const [action, ref] = reference.split('@');
        const version = /^\s+#\s+(v\d+(?:\.\d+)*)\s*$/.exec(rest)?.[1];
        if (!/^[0-9a-f]{40}$/.test(ref ?? ''))
          problems.push(`${where}: ${reference} is not pinned to a commit SHA`);
        else if (!version) problems.push(`${where}: ${reference} has no '# vX.Y.Z' comment`);
        const pin = `${ref} # ${version}`;
        const earlier = pins.get(action);
        if (earlier && earlier !== pin)
          problems.push(`${where}: ${action} pinned as '${pin}', elsewhere '${earlier}'`);
        pins.set(action, earlier ?? pin);
      });
    }
    expect(problems).toEqual([]);
    // The line scan found the same third-party steps the YAML has; a scan that matched nothing would pass vacuously.
    const parsed = allSteps.map(({ step }) => usesOf(step)).filter((u) => u && !u.startsWith('./'));
    expect(parsed.length).toBeGreaterThan(0);
    expect(new Set(parsed.map((u) => u!.split('@')[0]))).toEqual(new Set(pins.keys()));
  });
});

describe('our actions as the workflows use them', () => {
  const localSteps = allSteps.filter(({ step }) => localActionName(usesOf(step)) !== undefined);

  test.each(localSteps.map((s) => [s.where, s] as const))(
    '%s: with: keys are declared inputs and required inputs are given',
    (_where, { step, where }) => {
      const name = localActionName(usesOf(step)) as string;
      const action = loadAction(name);
      const given = Object.keys(withOf(step));
      const undeclared = given.filter((key) => !action.inputs.has(key));
      const missing = [...action.inputs]
        .filter(([key, spec]) => spec.required && !spec.hasDefault && !given.includes(key))
        .map(([key]) => key);
      expect({ where, undeclared, missing }).toEqual({ where, undeclared: [], missing: [] });
    },
  );

  test('every steps.<id>.outputs.<name> names a step of the same job and, for our actions, a declared output', () => {
    const problems: string[] = [];
    for (const jobRef of allJobs) {
      const steps = stepsOf(jobRef);
      const byId = new Map(
        steps.filter(({ step }) => asString(step.id)).map((s) => [asString(s.step.id)!, s]),
      );
      const check = (expression: string, at: string, fromIndex: number) => {
        for (const m of expression.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          const [, id, output] = m;
          const target = byId.get(id);
          if (!target) {
            problems.push(`${at}: no step with id '${id}' in job ${jobRef.id}`);
            continue;
          }
          if (target.index >= fromIndex)
            problems.push(`${at}: step '${id}' runs later, its outputs are not set yet`);
          const name = localActionName(usesOf(target.step));
          if (name && !loadAction(name).outputs.has(output)) {
            problems.push(`${at}: ./actions/${name} declares no output '${output}'`);
          } else if (
            typeof target.step.run === 'string' &&
            !new RegExp(`\\b${output}(=|<<)`).test(target.step.run)
          ) {
            problems.push(`${at}: run step '${id}' never writes '${output}' to GITHUB_OUTPUT`);
          }
        }
      };
      steps.forEach(({ step, where, index }) => expressionsIn(step).forEach((e) => check(e, where, index)));
      const jobLevel = { outputs: jobRef.job.outputs, env: jobRef.job.env };
      expressionsIn(jobLevel).forEach((e) =>
        check(e, `${jobRef.workflow.file} > ${jobRef.id} (job)`, steps.length),
      );
    }
    expect(problems).toEqual([]);
  });

  test('every needs.<job>.outputs.<name> names a needed job and one of its outputs', () => {
    const problems: string[] = [];
    for (const jobRef of allJobs) {
      const jobs = asMapping(jobRef.workflow.doc.jobs);
      const needs = ([] as unknown[]).concat(jobRef.job.needs ?? []).map(String);
      for (const expression of expressionsIn(jobRef.job)) {
        for (const [, needed, output] of expression.matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          const at = `${jobRef.workflow.file} > ${jobRef.id}`;
          if (!needs.includes(needed)) problems.push(`${at}: uses needs.${needed} but does not need it`);
          else if (!(output in asMapping(asMapping(jobs[needed]).outputs))) {
            problems.push(`${at}: job ${needed} has no output '${output}'`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every inputs.<name> is an input of the workflow (workflow_dispatch or workflow_call)', () => {
    const problems: string[] = [];
    for (const workflow of workflows) {
      const declared = new Set([
        ...Object.keys(workflowInputs(workflow, 'workflow_dispatch')),
        ...Object.keys(workflowInputs(workflow, 'workflow_call')),
      ]);
      for (const expression of expressionsIn({
        jobs: workflow.doc.jobs,
        concurrency: workflow.doc.concurrency,
      })) {
        for (const [, input] of expression.matchAll(/\binputs\.([\w-]+)/g)) {
          if (!declared.has(input)) problems.push(`${workflow.file}: inputs.${input} is not declared`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('a job checks out the repository before it uses a local action', () => {
    const problems: string[] = [];
    for (const jobRef of allJobs) {
      const steps = stepsOf(jobRef);
      const firstLocal = steps.find(({ step }) => usesOf(step)?.startsWith('./'));
      if (!firstLocal) continue;
      const checkout = steps.find(
        ({ step }) => usesOf(step)?.startsWith('actions/checkout@') && !withOf(step).path,
      );
      if (!checkout || checkout.index > firstLocal.index)
        problems.push(`${firstLocal.where}: no checkout before it`);
    }
    expect(problems).toEqual([]);
  });

  test('images reach kind only through KindClient.loadImages (build-image, kind-load), never a bare kind load', () => {
    // `kind load docker-image` fails with Docker's containerd image store (kind#3795); loadImages then
    // goes through docker save and kind load image-archive. A script would have no such way out.
    const bare = allSteps.filter(({ step }) => /\bkind\s+load\b/.test(asString(step.run) ?? ''));
    expect(bare.map(({ where }) => where)).toEqual([]);
    const loaders = localSteps.filter(({ step }) =>
      ['build-image', 'kind-load'].includes(localActionName(usesOf(step)) ?? ''),
    );
    expect(loaders.length).toBeGreaterThan(0);
  });

  test('semver-tag runs on a full clone (fetch-depth: 0), since it reads every tag', () => {
    const semverSteps = localSteps.filter(({ step }) => localActionName(usesOf(step)) === 'semver-tag');
    expect(semverSteps.length).toBeGreaterThan(0);
    for (const semver of semverSteps) {
      const checkout = stepsOf(semver).find(({ step }) => usesOf(step)?.startsWith('actions/checkout@'));
      expect({
        where: semver.where,
        fetchDepth: asString(withOf(checkout?.step ?? {})['fetch-depth']),
      }).toEqual({
        where: semver.where,
        fetchDepth: '0',
      });
    }
  });

  test('build-image comes after `npm run build -w service` for the same sources (the Dockerfile copies service/dist)', () => {
    const buildSteps = localSteps.filter(({ step }) => localActionName(usesOf(step)) === 'build-image');
    expect(buildSteps.length).toBeGreaterThan(0);
    for (const build of buildSteps) {
      const bundle = stepsOf(build)
        .slice(0, build.index)
        .find(
          ({ step }) => typeof step.run === 'string' && /\bnpm run build( -w service)?\s*$/m.test(step.run),
        );
      const workingDirectory = asString(bundle?.step['working-directory']) ?? '.';
      const context = asString(withOf(build.step).context) ?? 'service';
      expect({ where: build.where, bundled: !!bundle, context: path.normalize(context) }).toEqual({
        where: build.where,
        bundled: true,
        context: path.normalize(path.join(workingDirectory, 'service')),
      });
    }
  });
});

describe('reusable workflows and the secrets handed to them', () => {
  /** The secrets a workflow declares under `on.workflow_call.secrets`. */
  const declaredSecrets = (workflow: WorkflowFile): string[] =>
    Object.keys(asMapping(asMapping(triggersOf(workflow).workflow_call).secrets));
  /** `secrets.<NAME>` read anywhere in the jobs; GITHUB_TOKEN is given to every run. */
  const secretsRead = (node: unknown): string[] => [
    ...new Set(
      expressionsIn(node)
        .flatMap((e) => [...e.matchAll(/\bsecrets\.([\w-]+)/g)].map((m) => m[1]))
        .filter((name) => name !== 'GITHUB_TOKEN'),
    ),
  ];
  const calls = allJobs.filter(({ job }) => /^\.\/\.github\/workflows\//.test(asString(job.uses) ?? ''));

  test('a workflow that can be called declares every secret its jobs read', () => {
    // Undeclared, a called workflow's secret is an empty string on GitHub, even an environment
    // secret of the job's own environment, and the run reports no error (actions/runner#4453).
    const problems: string[] = [];
    for (const workflow of workflows.filter((w) => 'workflow_call' in triggersOf(w))) {
      const declared = declaredSecrets(workflow);
      for (const name of secretsRead(workflow.doc.jobs)) {
        if (!declared.includes(name))
          problems.push(`${workflow.file}: reads secrets.${name} but on.workflow_call.secrets lacks it`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every call of one of our workflows hands over, by name, each secret the called workflow declares', () => {
    expect(calls.map((c) => `${c.workflow.file} > ${c.id}`)).toEqual(
      expect.arrayContaining(['deliver.yml > deploy-environment', 'release.yml > deliver']),
    );
    const problems: string[] = [];
    for (const call of calls) {
      const where = `${call.workflow.file} > ${call.id}`;
      const called = workflows.find((w) => `./.github/workflows/${w.file}` === asString(call.job.uses));
      if (!called) {
        problems.push(`${where}: calls ${asString(call.job.uses)}, which does not exist`);
        continue;
      }
      // `inherit` would hand over every secret the caller can see (zizmor: secrets-inherit).
      if (call.job.secrets === 'inherit') problems.push(`${where}: secrets: inherit, name them instead`);
      const given = asMapping(call.job.secrets);
      for (const name of declaredSecrets(called)) {
        const value = asString(given[name])?.replace(/\s+/g, '');
        if (value !== `\${{secrets.${name}}}`)
          problems.push(`${where}: does not pass secrets.${name} on to ${called.file}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('pins shared with the tool bootstrap', () => {
  test('setup-helm installs the helm version the tests run (TOOL_PINS.helm), before any step uses helm', () => {
    const problems: string[] = [];
    let setups = 0;
    for (const jobRef of allJobs) {
      const steps = stepsOf(jobRef);
      const setup = steps.find(({ step }) => usesOf(step)?.startsWith('Azure/setup-helm@'));
      if (setup) {
        setups += 1;
        const version = asString(withOf(setup.step).version);
        if (version !== TOOL_PINS.helm.version)
          problems.push(`${setup.where}: helm ${version}, but the tests pin ${TOOL_PINS.helm.version}`);
      }
      const user = steps.find(
        ({ step }) =>
          localActionName(usesOf(step)) === 'helm-deploy' ||
          (typeof step.run === 'string' && /(^|\s)helm\s/m.test(step.run)),
      );
      // The runner image ships helm 3; without the setup step a job would silently use it.
      if (user && (!setup || setup.index > user.index))
        problems.push(`${user.where}: helm used before setup-helm`);
    }
    expect(problems).toEqual([]);
    expect(setups).toBeGreaterThan(0);
  });

  test('setup-node asks for the Node major the tool bootstrap provides for local runs (DEV_TOOL_PINS.node)', () => {
    const major = DEV_TOOL_PINS.node.version.replace(/^v/, '').split('.')[0];
    const problems: string[] = [];
    let setups = 0;
    for (const jobRef of allJobs) {
      for (const { step, where } of stepsOf(jobRef)) {
        if (!usesOf(step)?.startsWith('actions/setup-node@')) continue;
        setups += 1;
        const version = asString(withOf(step)['node-version']);
        if (version !== major) problems.push(`${where}: node-version ${version}, the bootstrap has ${major}`);
      }
    }
    expect(problems).toEqual([]);
    expect(setups).toBeGreaterThan(0);
  });

  test('kind-action creates the kind-config.yaml cluster with the kind version the tests run (TOOL_PINS.kind)', () => {
    const config = kindConfig();
    const [image] = config.images;
    const kindSteps = allSteps.filter(({ step }) => usesOf(step)?.startsWith('helm/kind-action@'));
    expect(kindSteps.length).toBeGreaterThan(0);
    for (const { step, where } of kindSteps) {
      const inputs = withOf(step);
      expect({
        where,
        version: inputs.version,
        config: inputs.config,
        image: inputs.node_image,
      }).toEqual({
        where,
        version: TOOL_PINS.kind.version,
        config: 'kind-config.yaml',
        image,
      });
    }
    // The cluster's name, on GitHub and under act, is checked in workflow-runs.test.ts.
  });
});

describe('concurrency, permissions and act guards', () => {
  test('steps that reach GitHub or a registry are skipped under act (step-level `!env.ACT`)', () => {
    const problems: string[] = [];
    for (const { step, where } of allSteps) {
      const uses = usesOf(step) ?? '';
      const guarded = /!\s*env\.ACT\b/.test(conditionOf(step));
      if (/^(softprops\/action-gh-release|docker\/login-action)@/.test(uses) && !guarded) {
        problems.push(`${where}: ${uses.split('@')[0]} without if: !env.ACT`);
      }
      const name = localActionName(uses);
      if ((name === 'semver-tag' || name === 'build-image') && 'push' in withOf(step)) {
        const push = asString(withOf(step).push) ?? '';
        if (push !== 'false' && !/!\s*env\.ACT\b/.test(push) && !guarded) {
          problems.push(`${where}: push: '${push}' is not guarded by !env.ACT`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('env.ACT is used only where the env context exists (steps, not job-level if:)', () => {
    const offenders = allJobs
      .filter(({ job }) => /\benv\.ACT\b/.test(conditionOf(job)))
      .map((j) => `${j.workflow.file} > ${j.id}`);
    expect(offenders).toEqual([]);
  });

  test('write permissions are granted only to the jobs that need them', () => {
    const problems: string[] = [];
    for (const jobRef of allJobs) {
      const writes = writeScopes(permissionsOf(jobRef.job));
      const where = `${jobRef.workflow.file} > ${jobRef.id}`;
      // A job calling a reusable workflow hands down the most its jobs may get; they narrow it.
      if (jobRef.job.uses !== undefined) continue;
      const steps = stepsOf(jobRef);
      // Pushes on GitHub: always, or whenever not under act (`!env.ACT || ...`).
      const pushes = steps.some(({ step }) =>
        /^(true|\$\{\{ !env\.ACT( \|\| .*)? \}\})$/.test(asString(withOf(step).push) ?? ''),
      );
      if (writes.includes('packages') && !/vars\.PUBLISH_IMAGE\b/.test(conditionOf(jobRef.job))) {
        problems.push(`${where}: packages: write without the PUBLISH_IMAGE condition`);
      }
      if (writes.includes('packages') && !pushes)
        problems.push(`${where}: packages: write but pushes nothing`);
      const releases = steps.some(({ step }) => usesOf(step)?.startsWith('softprops/action-gh-release@'));
      const tags = steps.some(
        ({ step }) => localActionName(usesOf(step)) === 'semver-tag' && 'push' in withOf(step),
      );
      if (writes.includes('contents') && !releases && !tags)
        problems.push(`${where}: contents: write but writes nothing`);
      const unexpected = writes.filter((scope) => !['contents', 'packages'].includes(scope));
      if (unexpected.length > 0) problems.push(`${where}: unexpected write scopes ${unexpected.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('act event payloads and docs/act.md', () => {
  const payloadFiles = existsSync(ACT_DIR)
    ? readdirSync(ACT_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const payload = (file: string): Mapping =>
    asMapping(JSON.parse(readFileSync(path.join(ACT_DIR, file), 'utf8')));
  const workflowNamed = (file: string): WorkflowFile => {
    const found = workflows.find((w) => w.file === file);
    if (!found) throw new Error(`.github/workflows/${file} does not exist`);
    return found;
  };

  test('the payloads for a tag push, each dispatch and the schedule exist', () => {
    expect(payloadFiles).toEqual(
      expect.arrayContaining([
        'tag-push.json',
        'release-dispatch.json',
        'deliver-dispatch.json',
        'deploy-dispatch.json',
        'schedule.json',
      ]),
    );
  });

  test.each(payloadFiles.map((f) => [f]))('%s is a JSON object', (file) => {
    expect(isMapping(JSON.parse(readFileSync(path.join(ACT_DIR, file), 'utf8')))).toBe(true);
  });

  test('ci.yml runs once per change: a branch push only on the default branch, a pull request by its own trigger', () => {
    const triggers = triggersOf(workflowNamed('ci.yml'));
    expect(Object.keys(triggers)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    const push = asMapping(triggers.push);
    const branches = ([] as unknown[]).concat(push.branches ?? []).map(String);
    const pushed = (branch: string) => branches.some((glob) => globToRegExp(glob).test(branch));
    // A branch of a pull request from this repository would otherwise run ci.yml twice per commit.
    expect(branches.length).toBeGreaterThan(0);
    expect(['feature/x', 'fix-1', 'dependabot/npm_and_yarn/x'].filter(pushed)).toEqual([]);
    const ref = asString(payload('branch-push.json').ref) ?? '';
    const defaultBranch = asString(asMapping(payload('branch-push.json').repository).default_branch);
    expect(ref).toBe(`refs/heads/${defaultBranch}`);
    expect(pushed(ref.replace(/^refs\/heads\//, ''))).toBe(true);
    // A release tag is deliver.yml's to check.
    expect(push.tags).toBeUndefined();
  });

  test('the tag push is refs/tags/v0.2.0 and matches a tag filter of deliver.yml', () => {
    const ref = asString(payload('tag-push.json').ref) ?? '';
    expect(ref).toBe('refs/tags/v0.2.0');
    const tags = ([] as unknown[])
      .concat(asMapping(triggersOf(workflowNamed('deliver.yml')).push).tags ?? [])
      .map(String);
    expect(tags.some((glob) => globToRegExp(glob).test(ref.replace(/^refs\/tags\//, '')))).toBe(true);
    // And a branch or a non-release tag does not start a delivery.
    expect(tags.some((glob) => globToRegExp(glob).test('latest'))).toBe(false);
  });

  test.each(payloadFiles.filter((f) => f.endsWith('-dispatch.json')).map((f) => [f]))(
    '%s: inputs are strings, declared by the workflow, required ones given, choices valid',
    (file) => {
      const workflow = workflowNamed(file.replace(/-dispatch\.json$/, '.yml'));
      const declared = workflowInputs(workflow, 'workflow_dispatch');
      const given = asMapping(payload(file).inputs);
      expect(Object.keys(declared).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(given)) {
        expect({ key, type: typeof value, declared: key in declared }).toEqual({
          key,
          type: 'string',
          declared: true,
        });
        const options = asMapping(declared[key]).options;
        if (Array.isArray(options)) expect(options.map(String)).toContain(value);
      }
      for (const [key, spec] of Object.entries(declared)) {
        if (asMapping(spec).required === true)
          expect({ key, given: key in given }).toEqual({ key, given: true });
      }
    },
  );

  test('schedule.json names a cron of daily-job.yml', () => {
    const crons = ([] as unknown[])
      .concat(triggersOf(workflowNamed('daily-job.yml')).schedule ?? [])
      .map((entry) => asString(asMapping(entry).cron));
    expect(crons.length).toBeGreaterThan(0);
    expect(crons).toContain(asString(payload('schedule.json').schedule));
  });

  test('docs/act.md gives a command for every workflow, with existing files and triggers the workflow has', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/act.md'), 'utf8');
    const codeBlocks = [...doc.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)]
      .map((m) => m[1])
      .join('\n');
    const commands = [...codeBlocks.matchAll(/^\s*act\s+([a-z_]+)\b(.*)$/gm)].map(([, event, rest]) => ({
      event,
      workflow: rest.match(/-W\s+\.github\/workflows\/([\w.-]+)/)?.[1],
      payload: rest.match(/-e\s+\.github\/act\/([\w.-]+)/)?.[1],
    }));
    const problems: string[] = [];
    for (const { event, workflow, payload: payloadFile } of commands) {
      if (!workflow) {
        problems.push(`act ${event}: no -W .github/workflows/<file>`);
        continue;
      }
      const found = workflows.find((w) => w.file === workflow);
      if (!found) problems.push(`act ${event}: .github/workflows/${workflow} does not exist`);
      else if (!(event in triggersOf(found)))
        problems.push(`act ${event}: ${workflow} has no '${event}' trigger`);
      if (payloadFile && !payloadFiles.includes(payloadFile))
        problems.push(`act ${event}: ${payloadFile} does not exist`);
    }
    expect(problems).toEqual([]);
    expect([...new Set(commands.map((c) => c.workflow))].sort()).toEqual(
      expect.arrayContaining(EXPECTED_WORKFLOWS),
    );
    for (const file of payloadFiles)
      expect({ file, mentioned: doc.includes(`.github/act/${file}`) }).toEqual({ file, mentioned: true });
  });
});
