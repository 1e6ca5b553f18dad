import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { Pki } from './certificates.js';
import { API_SERVER_URL } from './kubeconfig.js';

/** A GET against the API server on loopback as kubernetes-admin: health checks without starting kubectl. */
export function apiGet(
  pki: Pki,
  route: string,
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      `${API_SERVER_URL}${route}`,
      {
        ca: readFileSync(pki.ca),
        cert: readFileSync(pki.cert('admin')),
        key: readFileSync(pki.key('admin')),
        timeout: timeoutMs,
        agent: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${route} timed out`)));
    request.on('error', reject);
  });
}

interface NodeCondition {
  type: string;
  status: string;
  message?: string;
}

/** The node's Ready condition, or undefined while the node is not registered. */
export async function nodeReady(pki: Pki, node: string): Promise<NodeCondition | undefined> {
  const { status, body } = await apiGet(pki, `/api/v1/nodes/${node}`);
  if (status !== 200) return undefined;
  const conditions =
    (JSON.parse(body) as { status?: { conditions?: NodeCondition[] } }).status?.conditions ?? [];
  return conditions.find((c) => c.type === 'Ready');
}
