import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  parseOutputFile,
  runBundle,
  tempDir,
  type Inputs,
} from '@incidents-pipeline/test-support/action-env';

/**
 * The committed bundle, run as the runner runs it: the main step with its inputs, RUNNER_TEMP and the
 * runner's GITHUB_ENV / GITHUB_STATE files, then the post step with the state the main step saved.
 */
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const ACTION = fileURLToPath(new URL('../action.yml', import.meta.url));

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.deployer-token-5f2c';
const KEY_PEM_LINE = 'MIIEowIBAAKCAQEAx7kubeconfigPrivateKeyLine0123456789abcdef';
const KEY_DATA = Buffer.from(
  `-----BEGIN RSA PRIVATE KEY-----\n${KEY_PEM_LINE}\n-----END RSA PRIVATE KEY-----\n`,
).toString('base64');
const SERVER = 'https://10.1.2.3:6443';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: staging
    cluster:
      server: ${SERVER}
      certificate-authority-data: Q0EtZGF0YQ==
users:
  - name: deployer
    user:
      token: ${TOKEN}
  - name: cert-user
    user:
      client-key-data: ${KEY_DATA}
contexts:
  - name: deployer@staging
    context:
      cluster: staging
      user: deployer
      namespace: incidents
current-context: deployer@staging
`;

jest.setTimeout(30_000);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function runner(inputs: Inputs, extraEnv: Record<string, string> = {}) {
  const { dir, cleanup } = tempDir('kubeconfig-action-');
  cleanups.push(cleanup);
  const runnerTemp = path.join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  const envFile = path.join(dir, 'env');
  const stateFile = path.join(dir, 'state');
  writeFileSync(envFile, '');
  writeFileSync(stateFile, '');
  const main = await runBundle(BUNDLE, inputs, {
    RUNNER_TEMP: runnerTemp,
    GITHUB_ENV: envFile,
    GITHUB_STATE: stateFile,
    ...extraEnv,
  });
  const state = parseOutputFile(readFileSync(stateFile, 'utf8'));
  const exported = parseOutputFile(readFileSync(envFile, 'utf8'));
  const written = main.outputs.path;
  const mode = written && existsSync(written) ? statSync(written).mode & 0o777 : undefined;
  const dirMode = written && existsSync(written) ? statSync(path.dirname(written)).mode & 0o777 : undefined;
  const text = written && existsSync(written) ? readFileSync(written, 'utf8') : undefined;
  // The post step: a fresh process that gets the saved state as STATE_<name>, as the runner does.
  const post = () =>
    runBundle(
      BUNDLE,
      inputs,
      Object.fromEntries([
        ['RUNNER_TEMP', runnerTemp],
        ...Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]),
      ]),
    );
  return { main, state, exported, written, mode, dirMode, text, runnerTemp, post };
}

/** Every place a step can show text: its log, its outputs, its summary, and the environment it exports. */
function everythingShown(run: {
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}) {
  const log = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return [log, JSON.stringify(run.outputs), run.summary].join('\n');
}

describe('kubeconfig bundle', () => {
  it('writes a 0600 file in a private 0700 directory under RUNNER_TEMP and exports KUBECONFIG', async () => {
    const { main, written, mode, dirMode, text, exported, runnerTemp } = await runner({
      kubeconfig: KUBECONFIG,
    });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(path.dirname(path.dirname(written))).toBe(runnerTemp);
    expect(mode).toBe(0o600);
    expect(dirMode).toBe(0o700);
    expect(text).toBe(KUBECONFIG);
    expect(exported.KUBECONFIG).toBe(written);
    expect(main.outputs.context).toBe('deployer@staging');
  });

  it('decodes kubeconfig-b64 to the same file', async () => {
    const { main, text } = await runner({ 'kubeconfig-b64': Buffer.from(KUBECONFIG).toString('base64') });
    expect(main.exitCode).toBe(0);
    expect(text).toBe(KUBECONFIG);
  });

  it('masks every credential before it prints anything, and shows none of them anywhere', async () => {
    const b64 = Buffer.from(KUBECONFIG).toString('base64');
    const { main } = await runner({ 'kubeconfig-b64': b64 });
    expect(main.exitCode).toBe(0);
    const lines = main.stdout.split('\n').filter((l) => l !== '');
    const masks = lines.filter((l) => l.startsWith('::add-mask::'));
    // The masks come first: nothing else was printed before the last of them.
    expect(lines.slice(0, masks.length)).toEqual(masks);
    for (const secret of [b64, TOKEN, KEY_DATA, KEY_PEM_LINE]) {
      expect(masks).toContain(`::add-mask::${secret}`);
      expect(everythingShown(main)).not.toContain(secret);
    }
    expect(everythingShown(main)).not.toContain(SERVER);
  });

  it('removes the file and its directory in the post step', async () => {
    const { main, written, post, runnerTemp } = await runner({ kubeconfig: KUBECONFIG });
    expect(main.exitCode).toBe(0);
    expect(existsSync(written)).toBe(true);
    const after = await post();
    expect(after.exitCode).toBe(0);
    expect(existsSync(written)).toBe(false);
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  it('runs its post step even when the job failed or was cancelled', () => {
    const runs = (parse(readFileSync(ACTION, 'utf8')) as { runs: Record<string, string> }).runs;
    expect(runs.post).toBe(runs.main);
    expect(runs['post-if']).toBe('always()');
  });

  it('removes the file at once when the step fails after writing it', async () => {
    // GITHUB_ENV naming a directory makes exporting KUBECONFIG fail, after the file was written.
    const { dir, cleanup } = tempDir('kubeconfig-broken-env-');
    cleanups.push(cleanup);
    const { main, runnerTemp } = await runner({ kubeconfig: KUBECONFIG }, { GITHUB_ENV: dir });
    expect(main.exitCode).not.toBe(0);
    expect(readdirSync(runnerTemp)).toEqual([]);
    expect(everythingShown(main)).not.toContain(TOKEN);
  });

  describe('an exec credential plugin', () => {
    const ROLE = 'arn:aws:iam::123456789012:role/deployer';
    const withExec = KUBECONFIG.replace(
      `      token: ${TOKEN}`,
      [
        '      exec:',
        '        apiVersion: client.authentication.k8s.io/v1',
        '        command: aws',
        `        args: [eks, get-token, --cluster-name, staging, --role-arn, "${ROLE}"]`,
      ].join('\n'),
    );

    it('is refused unless allow-exec is set, before anything is written', async () => {
      const { main, runnerTemp } = await runner({ kubeconfig: withExec });
      expect(main.exitCode).toBe(1);
      expect(main.errors).toEqual([
        expect.stringMatching(/users\[0\] runs an exec credential plugin.*allow-exec: true/),
      ]);
      expect(readdirSync(runnerTemp)).toEqual([]);
      expect(everythingShown(main)).not.toContain(ROLE);
    });

    it('is written with allow-exec: true, its arguments masked first', async () => {
      const { main, text } = await runner({ kubeconfig: withExec, 'allow-exec': 'true' });
      expect(main.errors).toEqual([]);
      expect(text).toBe(withExec);
      const masks = main.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
      expect(masks).toEqual(expect.arrayContaining([`::add-mask::${ROLE}`, '::add-mask::get-token']));
      expect(everythingShown(main)).not.toContain(ROLE);
    });
  });

  it.each([
    ['both inputs empty', { kubeconfig: '', 'kubeconfig-b64': '' }, /KUBECONFIG or KUBECONFIG_B64 secret/],
    ['whitespace only', { kubeconfig: '  \n ' }, /is empty/],
    ['not base64', { 'kubeconfig-b64': `${TOKEN}!!` }, /kubeconfig-b64.*not base64/],
    ['base64 of binary', { 'kubeconfig-b64': Buffer.from([0xff, 0xfe, 0xfd]).toString('base64') }, /UTF-8/],
    ['both given', { kubeconfig: KUBECONFIG, 'kubeconfig-b64': 'YQ==' }, /not both/],
    ['not YAML', { kubeconfig: `users: [{user: {token: ${TOKEN}}` }, /not valid YAML at line \d+/],
    ['not a Config', { kubeconfig: `kind: Secret\ndata:\n  token: ${TOKEN}\n` }, /kind: Config/],
    [
      'a context without its user',
      { kubeconfig: KUBECONFIG.replace('user: deployer', 'user: nobody') },
      /contexts\[0\]/,
    ],
    [
      'no clusters',
      { kubeconfig: KUBECONFIG.replace(/clusters:[\s\S]*?users:/, 'users:') },
      /has no clusters/,
    ],
  ])('fails clearly on %s, without writing or printing the content', async (_case, inputs, message) => {
    const { main, runnerTemp, written } = await runner(inputs);
    expect(main.exitCode).toBe(1);
    expect(main.errors).toHaveLength(1);
    expect(main.errors[0]).toMatch(message);
    expect(written).toBeUndefined();
    expect(readdirSync(runnerTemp)).toEqual([]);
    expect(everythingShown(main)).not.toContain(TOKEN);
    expect(everythingShown(main)).not.toContain(SERVER);
  });
});
