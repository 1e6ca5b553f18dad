import path from 'node:path';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { KindClient } from '@incidents-pipeline/actions-lib/kind';
import { installKind, KIND_VERSION } from '@incidents-pipeline/actions-lib/kind-install';
import { log } from '@incidents-pipeline/actions-lib/log';
import type { ClusterProvider } from './cluster-provider.js';
import type { Settings } from './settings.js';
import { isInstalled, requireTools } from './tools.js';

/** The kind cluster `incidents` from kind-config.yaml, reached through its own kube context. */
export function kindCluster(settings: Settings): ClusterProvider {
  const kind = new KindClient();
  return {
    title: `Kind cluster ${settings.cluster}`,
    description: `kind cluster ${settings.cluster}`,
    tools: ['docker', 'kind', 'helm', 'kubectl'],
    async prepareTools() {
      await requireTools(['docker', 'helm', 'kubectl']);
      if (await isInstalled('kind')) return;
      log().info(`kind is not installed: installing kind ${KIND_VERSION} into ${settings.toolsDir}`);
      await installKind({ installDir: settings.toolsDir, baseUrl: settings.kindDownloadBaseUrl });
      // The installed kind must be the pinned one the locator accepts, as every later step uses it.
      await requireTools(['kind']);
    },
    async ensure() {
      if (await kind.hasCluster(settings.cluster)) {
        log().info(`Cluster ${settings.cluster} exists`);
        return;
      }
      log().info(
        `Creating cluster ${settings.cluster} from ${path.relative(settings.root, settings.kindConfig)}`,
      );
      await kind.createCluster(settings.cluster, { config: settings.kindConfig, wait: '120s' });
    },
    async require() {
      if (!(await kind.hasCluster(settings.cluster))) {
        throw new ActionError(
          `kind cluster '${settings.cluster}' does not exist; create it with: npm run init`,
        );
      }
    },
    async loadImage(reference) {
      const method = await kind.loadImages(settings.cluster, [reference]);
      log().info(`Loaded ${reference} into kind cluster ${settings.cluster} (${method})`);
    },
  };
}
