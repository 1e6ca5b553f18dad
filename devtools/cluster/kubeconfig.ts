import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Pki } from './certificates.js';
import { NETWORK } from './layout.js';
import { writeIfChanged } from './files.js';

export const CONTEXT = 'incidents-local';

/** The API server as tests and local tools reach it: on loopback. */
export const API_SERVER_URL = `https://127.0.0.1:${NETWORK.apiServerPort}`;

/**
 * A kubeconfig with its certificates embedded, so that it can be copied or read from anywhere: one
 * for the user (kubernetes-admin) and one per component, each with its own identity.
 */
export async function writeKubeconfig(file: string, pki: Pki, identity: string): Promise<void> {
  const data = async (f: string) => (await readFile(f)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CONTEXT,
        cluster: { server: API_SERVER_URL, 'certificate-authority-data': await data(pki.ca) },
      },
    ],
    users: [
      {
        name: identity,
        user: {
          'client-certificate-data': await data(pki.cert(identity)),
          'client-key-data': await data(pki.key(identity)),
        },
      },
    ],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: identity } }],
    'current-context': CONTEXT,
  };
  await writeIfChanged(file, stringify(config), 0o600);
}
