import path from 'node:path';
import { KindClient } from '@incidents-pipeline/actions-lib/kind';
import { locateTool } from '@incidents-pipeline/actions-lib/tools';
import { createStandIns, type StandIns } from './stand-in-tools.js';

/**
 * The real kind at its pinned version, driving the stand-in docker instead of a daemon: kind's own
 * flags, config loading, validation and messages run for real, and it stops at its first attempt to
 * make a node (no node image can be had here). Nothing outside a temporary folder is touched: PATH
 * holds only the stand-in docker, and kind's kubeconfig edits go to a file in that folder.
 */
export interface RealKind {
  kind: KindClient;
  /** The docker calls kind made. */
  standIns: StandIns;
  cleanup(): void;
}

export async function realKind(images: readonly string[] = []): Promise<RealKind> {
  const binary = await locateTool('kind');
  const standIns = createStandIns(['docker'], { images: [...images] }, { inheritPath: false });
  const env = { ...standIns.env, KUBECONFIG: path.join(standIns.binDir, '..', 'kubeconfig') };
  return { kind: new KindClient({ binary, env }), standIns, cleanup: standIns.cleanup };
}
