import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { log } from '@incidents-pipeline/actions-lib/log';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import type { ClusterProvider } from './cluster-provider.js';
import type { Settings } from './settings.js';
import { requireTools } from './tools.js';

/** `npm run cluster -- up --json`: the cluster's only kubeconfig and its kubectl's folder. */
interface ClusterAccess {
  kubeconfig: string;
  binDir: string;
}

/**
 * The local cluster of `npm run cluster` (INCIDENTS_CLUSTER=local), for machines without a registry.
 * The CLI is product code and never imports the development platform: it runs the command and reads
 * its `--json` answer. That kubeconfig has this cluster's single context, so a local command cannot
 * reach another cluster; images go in with `load-image`, as kind's go in with `kind load`.
 */
export function localCluster(settings: Settings): ClusterProvider {
  const cluster = (args: string[], allowFailure = false) =>
    runTool('npm', ['run', '--silent', 'cluster', '--', ...args], {
      cwd: settings.root,
      group: false,
      allowFailure,
      timeoutMs: 45 * 60_000,
    });

  /** Points this process, and every tool it starts, at the cluster. */
  const use = (access: ClusterAccess) => {
    process.env.KUBECONFIG = access.kubeconfig;
    process.env.PATH = `${access.binDir}:${process.env.PATH ?? ''}`;
    log().info(`Local cluster: KUBECONFIG=${access.kubeconfig}`);
  };

  return {
    title: 'Local cluster (npm run cluster)',
    description: 'the local cluster of npm run cluster',
    tools: ['docker', 'helm', 'kubectl'],
    prepareTools: () => requireTools(['docker', 'helm', 'kubectl']),
    async ensure() {
      use(JSON.parse((await cluster(['up', '--json'])).stdout) as ClusterAccess);
    },
    async require() {
      // Before its first build there is no cluster to ask about: no answer at all means down.
      const answer = (await cluster(['status', '--json'], true)).stdout.trim();
      const status = (answer ? JSON.parse(answer) : { state: 'down' }) as {
        state: string;
        access?: ClusterAccess;
      };
      if (status.state !== 'up' || !status.access)
        throw new ActionError(`the local cluster is ${status.state}; start it with: npm run cluster -- up`);
      use(status.access);
    },
    async loadImage(reference) {
      await cluster(['load-image', reference]);
      log().info(`Loaded ${reference} into the local cluster`);
    },
  };
}
