import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBundle, type Inputs } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';
import { clusterWithRelease, crashingRollout, startingPod, stuckRollout } from './fixtures.js';

/**
 * The committed bundle, run the way the runner runs it, against stand-in `helm` and `kubectl`
 * executables that record their arguments and answer from a simulated cluster. What the local cluster
 * proves with the real Helm 4 (first install, rollback of a failed rollout, a stuck release refused or
 * recovered) lives in `actions/lib/test/cluster/*.cluster.test.ts`. Kept here is what the cluster
 * cannot produce on demand: Helm 3 (the cluster tests have Helm 4 only), the exact argv and 0600 values
 * files, masking, and a crash-looping pod's previous log.
 */
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SECRET = 'pr0d-T0ken-4f9a';

// Each run starts node for the bundle and for every stand-in call.
jest.setTimeout(30_000);

let tools: StandIns | undefined;
afterEach(() => tools?.cleanup());

async function deploy(state: StandInState, inputs: Inputs = {}) {
  tools = createStandIns(['helm', 'kubectl'], state);
  const run = await runBundle(
    BUNDLE,
    { 'image-repository': 'incidents-service', 'image-tag': '0.2.0', ...inputs },
    tools.env,
  );
  const helmCalls = tools.calls('helm');
  const commands = helmCalls.map((c) => c.args.filter((a) => !a.startsWith('-'))[0]);
  const upgrade = helmCalls.find((c) => c.args[0] === 'upgrade');
  return { run, helmCalls, commands, upgrade, kubectlCalls: tools.calls('kubectl') };
}

describe('helm-deploy bundle', () => {
  it('upgrades with Helm 4 flags, values in private files, and smoke-tests with helm test', async () => {
    const { run, upgrade, commands } = await deploy(clusterWithRelease('v4.1.4'), {
      values: `envVars:\n  LOG_LEVEL: debug\nauth:\n  apiToken: ${SECRET}\n`,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      revision: '4',
      status: 'deployed',
      'previous-revision': '3',
      'rolled-back': 'false',
    });
    expect(upgrade?.args.slice(0, 4)).toEqual(['upgrade', '--install', 'incidents-service', './chart']);
    expect(upgrade?.args).toEqual(expect.arrayContaining(['--namespace', 'incidents', '--create-namespace']));
    expect(upgrade?.args).toEqual(expect.arrayContaining(['--wait=watcher', '--rollback-on-failure']));
    expect(upgrade?.args).not.toContain('--atomic');
    expect(upgrade?.args.join(' ')).toContain('--timeout 5m');
    // Inline values, then the image: both 0600 files, gone after the step.
    expect(upgrade?.files.map((f) => f.mode)).toEqual([0o600, 0o600]);
    expect(upgrade?.files[0].text).toContain(SECRET);
    expect(upgrade?.files[1].text).toBe('image:\n  repository: incidents-service\n  tag: 0.2.0\n');
    for (const f of upgrade?.files ?? []) expect(existsSync(f.file)).toBe(false);
    // Helm 4's status has no chart, so each status is followed by the history entry that names it.
    expect(commands).toEqual(['version', 'status', 'history', 'upgrade', 'status', 'history', 'test']);
    expect(run.summary).toContain('incidents-service:0.2.0');
    expect(run.summary).toMatch(/Pods ready<\/td><td>2\/2/);
    expect(run.summary).toContain('helm test passed');
  });

  it('with refuse-downgrade fails the step on an older version, before helm upgrade', async () => {
    const { run, commands } = await deploy(clusterWithRelease('v4.1.4'), {
      'image-tag': '0.0.9',
      'refuse-downgrade': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^incidents-service in namespace incidents runs 0\.1\.0, newer than 0\.0\.9: /),
    ]);
    expect(commands).not.toContain('upgrade');
  });

  it('keeps secrets from values out of every argv and masks them before anything runs', async () => {
    const { run, helmCalls, kubectlCalls } = await deploy(clusterWithRelease('v4.1.4'), {
      values: `auth:\n  apiToken: ${SECRET}\ndb:\n  password: "hunter2-but-longer"\n`,
    });
    expect(run.exitCode).toBe(0);
    for (const call of [...helmCalls, ...kubectlCalls]) {
      expect(call.args.join(' ')).not.toContain(SECRET);
      expect(call.args.join(' ')).not.toContain('hunter2-but-longer');
    }
    const lines = run.stdout.split('\n').filter((l) => l.includes(SECRET) || l.includes('hunter2'));
    expect(lines).toEqual([`::add-mask::${SECRET}`, '::add-mask::hunter2-but-longer']);
    expect(run.stdout.indexOf(`::add-mask::${SECRET}`)).toBeLessThan(run.stdout.indexOf('upgrade --install'));
  });

  it('uses --wait and no Helm 4 flags with Helm 3', async () => {
    const { run, upgrade } = await deploy(clusterWithRelease('v3.19.0'));
    expect(run.errors).toEqual([]);
    expect(upgrade?.args).toContain('--wait');
    expect(upgrade?.args).not.toContain('--wait=watcher');
    expect(upgrade?.args).not.toContain('--rollback-on-failure');
    // Helm 3 rolls back explicitly, after diagnostics, instead of --atomic.
    expect(upgrade?.args).not.toContain('--atomic');
    expect(run.outputs.revision).toBe('4');
  });

  it('omits waiting and rollback when both are off', async () => {
    const { run, upgrade } = await deploy(clusterWithRelease('v4.1.4'), {
      wait: 'false',
      'rollback-on-failure': 'false',
      'smoke-test': 'none',
    });
    expect(run.exitCode).toBe(0);
    expect(upgrade?.args.filter((a) => a.startsWith('--wait') || a === '--rollback-on-failure')).toEqual([]);
    expect(run.summary).toContain('skipped');
  });

  it('on a failed rollout with Helm 4: Helm rolls back, diagnostics are collected, the step fails', async () => {
    const { run, commands, kubectlCalls } = await deploy(clusterWithRelease('v4.1.4', crashingRollout));
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/deploy of incidents-service failed \(rolled back to revision 3\)/);
    expect(run.errors[0]).toContain('not ready. status: InProgress');
    expect(run.outputs).toMatchObject({ 'rolled-back': 'true', revision: '5', status: 'deployed' });
    expect(commands).not.toContain('rollback');
    const verbs = kubectlCalls.map((c) => `${c.args[0]} ${c.args[1]}`);
    expect(verbs).toEqual(
      expect.arrayContaining(['get events', 'get pods', 'describe pods', 'logs incidents-service-7d9c-x2']),
    );
    // Only the failing pod is looked at, including its previous (crashed) run.
    expect(
      kubectlCalls.filter((c) => c.args[0] === 'logs').map((c) => c.args.includes('--previous')),
    ).toEqual([false, true]);
    expect(run.stdout).toContain('::group::Diagnostics: pod incidents-service-7d9c-x2');
    expect(run.stdout).toContain('CrashLoopBackOff');
    expect(run.summary).toContain('Diagnostics');
    expect(run.summary).toContain('Back-off restarting failed container');
    expect(run.summary).toContain('incidents-service-7d9c-x2 previous log line 1');
    expect(run.summary).toMatch(/Pods ready<\/td><td>2\/2/);
  });

  it('on a failed rollout with Helm 3: diagnostics first, then an explicit rollback', async () => {
    const { run, helmCalls, commands } = await deploy(clusterWithRelease('v3.19.0', crashingRollout));
    expect(run.exitCode).toBe(1);
    const rollback = helmCalls.find((c) => c.args[0] === 'rollback');
    expect(rollback?.args.slice(0, 3)).toEqual(['rollback', 'incidents-service', '3']);
    expect(rollback?.args).toContain('--wait');
    expect(commands.indexOf('rollback')).toBeGreaterThan(commands.indexOf('upgrade'));
    expect(run.outputs).toMatchObject({ 'rolled-back': 'true', revision: '5' });
    expect(run.errors[0]).toMatch(/rolled back to revision 3/);
  });

  it('without rollback-on-failure a failed rollout stays failed and says so', async () => {
    const { run, commands } = await deploy(clusterWithRelease('v4.1.4', crashingRollout), {
      'rollback-on-failure': 'false',
    });
    expect(run.exitCode).toBe(1);
    expect(commands).not.toContain('rollback');
    expect(run.errors[0]).toMatch(/failed \(not rolled back\)/);
    expect(run.outputs).toMatchObject({ 'rolled-back': 'false', revision: '4', status: 'failed' });
  });

  it('a failed first install with rollback-on-failure is removed', async () => {
    const state = clusterWithRelease('v3.19.0', crashingRollout);
    state.releases = {};
    const { run, commands } = await deploy(state);
    expect(run.exitCode).toBe(1);
    expect(commands).toContain('uninstall');
    expect(run.errors[0]).toMatch(/the failed install was removed/);
    expect(run.outputs).toMatchObject({
      'rolled-back': 'true',
      status: 'uninstalled',
      'previous-revision': '',
    });
  });

  it('names helm uninstall for a release stuck in pending-install', async () => {
    const state = clusterWithRelease('v4.1.4');
    state.releases!['incidents-service'].history = [
      {
        revision: 1,
        status: 'pending-install',
        description: 'Initial install underway',
        app_version: '0.1.0',
      },
    ];
    const { run } = await deploy(state, { 'rollback-on-failure': 'false', 'kube-context': 'kind-incidents' });
    expect(run.errors[0]).toContain(
      '`helm uninstall incidents-service -n incidents --kube-context kind-incidents`',
    );
  });

  it('smoke-test http port-forwards to 127.0.0.1 and checks /readyz and the status line', async () => {
    const { run, kubectlCalls } = await deploy(clusterWithRelease('v4.1.4'), { 'smoke-test': 'http' });
    expect(run.errors).toEqual([]);
    const forward = kubectlCalls.find((c) => c.args[0] === 'port-forward');
    expect(forward?.args).toEqual(
      expect.arrayContaining(['--address', '127.0.0.1', 'service/incidents-service', ':80']),
    );
    expect(run.summary).toContain('http: status: 3 days since the last incident');
  });

  it('a failing http smoke test fails the step and rolls back', async () => {
    const { run, commands } = await deploy(
      clusterWithRelease('v4.1.4', { http: { readyz: 503, rootStatus: 500, root: 'error: no incidents\n' } }),
      { 'smoke-test': 'http' },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /smoke test of incidents-service revision 4 failed \(rolled back to revision 3\)/,
    );
    expect(run.errors[0]).toContain('GET /readyz answered 503');
    // The release read after the rollback: status, then its chart from history (Helm 4).
    expect(commands.slice(-3)).toEqual(['rollback', 'status', 'history']);
    expect(run.outputs['rolled-back']).toBe('true');
  });

  it('a failing helm test of a first install removes it, and says so rather than name a revision', async () => {
    const state = clusterWithRelease('v4.1.4', { testFails: true });
    state.releases = {};
    const { run, commands } = await deploy(state);
    expect(run.exitCode).toBe(1);
    expect(commands).toContain('uninstall');
    expect(run.errors[0]).toMatch(
      /smoke test of incidents-service revision 1 failed \(the failed install was removed\)/,
    );
  });

  it('a failing helm test fails the step', async () => {
    const { run } = await deploy(clusterWithRelease('v4.1.4', { testFails: true }), {
      'rollback-on-failure': 'false',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain('helm test failed');
    expect(run.outputs).toMatchObject({ revision: '4', 'rolled-back': 'false' });
  });

  it('stops waiting when a new pod cannot pull its image, names it, and Helm 4 rolls back on SIGTERM', async () => {
    const started = Date.now();
    const { run, commands } = await deploy(clusterWithRelease('v4.1.4', stuckRollout), {
      'fail-fast-after': '1s',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^deploy of incidents-service failed \(rolled back to revision 3\): pod incidents-service-7d9c-x2: container incidents-service: ImagePullBackOff: Back-off pulling image "incidents-service:9\.9\.9" \(for \ds; fail-fast-after is 1s\)$/,
      ),
    ]);
    // Revision 4 failed when Helm was stopped; Helm's own rollback made revision 5.
    expect(run.outputs).toMatchObject({ 'rolled-back': 'true', revision: '5', status: 'deployed' });
    expect(commands).not.toContain('rollback');
    expect(run.summary).toContain('Diagnostics');
    expect(run.summary).toContain('ImagePullBackOff');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('with Helm 3, stops waiting the same way and rolls back itself', async () => {
    const { run, commands } = await deploy(clusterWithRelease('v3.19.0', stuckRollout), {
      'fail-fast-after': '1s',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(
      /^deploy of incidents-service failed \(rolled back to revision 3\): pod incidents-service-7d9c-x2: container incidents-service: ImagePullBackOff: /,
    );
    expect(commands.filter((c) => c === 'rollback')).toHaveLength(1);
    expect(run.outputs).toMatchObject({ 'rolled-back': 'true', revision: '5' });
  });

  it('does not cut short a rollout whose new pod is running and only slow to become ready', async () => {
    const { run } = await deploy(
      clusterWithRelease('v4.1.4', {
        upgradeStalls: true,
        stalledPods: [startingPod('incidents-service-7d9c-x2')],
        stallSucceedsAfterMs: 3_000,
      }),
      { 'fail-fast-after': '1s' },
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({ 'rolled-back': 'false', revision: '4', status: 'deployed' });
  });

  it('fail-fast-after: off waits for Helm alone, even on a pod that cannot start', async () => {
    const { run } = await deploy(
      clusterWithRelease('v4.1.4', { ...stuckRollout, stallSucceedsAfterMs: 3_000 }),
      {
        'fail-fast-after': 'off',
      },
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({ revision: '4', status: 'deployed' });
  });

  it.each([
    ['fail-fast-after', 'soon', /input 'fail-fast-after': 'soon' is not a duration such as 60s/],
    ['fail-fast-after', '60', /input 'fail-fast-after': '60' is not a duration/],
    ['timeout', '5 minutes', /input 'timeout': '5 minutes' is not a duration/],
    ['timeout', '300', /input 'timeout': '300' is not a duration/],
    ['smoke-test', 'curl', /input 'smoke-test': must be one of helm, http, none/],
    ['release', 'Incidents_Service', /input 'release'/],
    ['image-tag', '0.2.0; rm -rf /', /input 'image-tag'/],
    ['values', 'a: [unclosed', /input 'values': is not valid YAML/],
    ['values', '- just\n- a list', /input 'values': must be a YAML mapping/],
    ['verify-key', 'ssh-ed25519 AAAA', /input 'verify-key': is not a PEM public key/],
    [
      'verify-identity',
      'https://github.com/acme/app/.github/workflows/deliver.yml@refs/heads/main',
      /input 'verify-oidc-issuer': is needed too/,
    ],
  ])('refuses %s %j before running helm', async (input, value, message) => {
    const { run, helmCalls } = await deploy(clusterWithRelease('v4.1.4'), { [input]: value });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(message);
    expect(helmCalls.filter((c) => c.args[0] !== 'version')).toEqual([]);
  });

  it('refuses to verify a signature without the image tag, since the image verified is the one deployed', async () => {
    const { run, helmCalls } = await deploy(clusterWithRelease('v4.1.4'), {
      'image-tag': '',
      'verify-key': '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/input 'image-tag': is required to verify a signature/);
    expect(helmCalls).toEqual([]);
  });
});
