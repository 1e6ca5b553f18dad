import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { log } from '@incidents-pipeline/actions-lib/log';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import type { Settings } from './settings.js';

/**
 * The local cluster of `npm run cluster` as the CLI's target (INCIDENTS_CLUSTER=local), in place of
 * kind: brought up (or found up) through that command, whose printed KUBECONFIG names a file with
 * this cluster's single context, so a local command cannot reach another cluster; images go in
 * with its `load-image`, as kind's go in with `kind load`.
 */

function cluster(settings: Settings, args: string[]) {
  return runTool('npm', ['run', '--silent', 'cluster', '--', ...args], {
    cwd: settings.root,
    group: false,
    timeoutMs: 45 * 60_000,
  });
}

/**
 * Points this process (and every tool it starts) at the local cluster. `start: false` refuses when the
 * cluster is down instead of starting it, as deliver and deploy refuse a missing kind cluster.
 */
export async function useLocalCluster(settings: Settings, options: { start: boolean }): Promise<void> {
  if (!options.start) {
    const status = await runTool('npm', ['run', '--silent', 'cluster', '--', 'status'], {
      cwd: settings.root,
      group: false,
      allowFailure: true,
    });
    if (!/cluster: up/.test(status.stdout))
      throw new ActionError('the local cluster is down; start it with: npm run cluster -- up');
  }
  // `up` is a no-op on a running cluster and always prints where its kubeconfig and kubectl are.
  const up = await cluster(settings, ['up']);
  const exports = new Map([...up.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  const kubeconfig = exports.get('KUBECONFIG');
  const path = exports.get('PATH');
  if (!kubeconfig || !path)
    throw new ActionError(`npm run cluster -- up printed no KUBECONFIG and PATH:\n${up.stdout}`);
  process.env.KUBECONFIG = kubeconfig;
  process.env.PATH = path.replace('$PATH', process.env.PATH ?? '');
  log().info(`Local cluster: KUBECONFIG=${kubeconfig}`);
}

export async function loadIntoLocalCluster(settings: Settings, reference: string): Promise<void> {
  await cluster(settings, ['load-image', reference]);
  log().info(`Loaded ${reference} into the local cluster`);
}
