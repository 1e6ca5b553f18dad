import { kindCluster } from './kind-cluster.js';
import { localCluster } from './local-cluster.js';
import type { Settings } from './settings.js';
import type { Tool } from './tools.js';

/**
 * The cluster a command works on. "kind or local" is chosen once, by `clusterFor` from the
 * settings (INCIDENTS_CLUSTER), as kind chooses between its docker and podman providers; the
 * commands only ever talk to this interface.
 */
export interface ClusterProvider {
  /** The progress line of the cluster step, e.g. `Kind cluster incidents`. */
  readonly title: string;
  /** How messages name it, e.g. `kind cluster incidents`. */
  readonly description: string;
  /** The tools every command needs with this cluster. */
  readonly tools: readonly Tool[];
  /** init's tool step: the tools, installing what the CLI itself can install. */
  prepareTools(): Promise<void>;
  /** init: creates or starts the cluster when it is not there, and points this process at it. */
  ensure(): Promise<void>;
  /** deliver and deploy: refuses when the cluster is not there, and points this process at it. */
  require(): Promise<void>;
  /** Puts a local Docker image into the cluster's nodes. */
  loadImage(reference: string): Promise<void>;
}

export function clusterFor(settings: Settings): ClusterProvider {
  return settings.target === 'local' ? localCluster(settings) : kindCluster(settings);
}
