import { ActionError } from './errors.js';
import type { HelmClient, ReleaseTarget } from './helm.js';
import type { KubectlClient } from './kubectl.js';
import { log } from './log.js';
import { meaningfulLine } from './process.js';

/**
 * Smoke tests of a deployed release. `helm` runs the chart's test hook; `http` checks that `/readyz`
 * answers 200 and `/` answers 200 with the service's status line, through a port-forward on
 * 127.0.0.1, so it checks the Service, the pods behind it and the incidents file they mounted, not
 * just that Helm was content.
 */

export type SmokeTest = 'helm' | 'http' | 'none';

/** Runs the smoke test of a release; returns what passed, throws an `ActionError` that says what failed. */
export async function smokeTestRelease(
  kind: SmokeTest,
  clients: { helm: HelmClient; kubectl: KubectlClient },
  target: ReleaseTarget & { selector: string; timeout: string },
): Promise<string> {
  if (kind === 'none') return 'skipped';
  if (kind === 'helm') {
    const test = await clients.helm.test(target, { timeout: target.timeout });
    if (test.exitCode !== 0) {
      // The test pod's own error is often only in the logs `--logs` prints to stdout.
      throw new ActionError(
        `helm test failed (exit ${test.exitCode}): ${meaningfulLine(test.stderr, test.stdout)}`,
      );
    }
    return 'helm test passed';
  }
  const services = await clients.kubectl.services(target.namespace, target.selector);
  const service = services.find((s) => s.ports.length > 0);
  if (!service)
    throw new ActionError(`smoke test: no Service with a port carries the label ${target.selector}`);
  const port = service.ports.find((p) => p.name === 'http') ?? service.ports[0];
  const forward = await clients.kubectl.portForward(target.namespace, service.name, port.port);
  try {
    const checked = await httpSmokeTest(`http://127.0.0.1:${forward.localPort}/`);
    log().info(`GET /readyz: ${checked.readyz}; GET /: ${checked.statusLine}`);
    return `http: ${checked.statusLine}`;
  } finally {
    await forward.close();
  }
}

export const STATUS_LINE = /^status: \d+ days? since the last incident$/;

export interface HttpSmokeResult {
  readyz: string;
  statusLine: string;
}

export async function httpSmokeTest(
  baseUrl: string,
  options: { attempts?: number; delayMs?: number; requestTimeoutMs?: number } = {},
): Promise<HttpSmokeResult> {
  const attempts = options.attempts ?? 5;
  let lastError: unknown;
  // A fresh port-forward can refuse the first connection while it sets up its stream.
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await checkOnce(baseUrl, options.requestTimeoutMs ?? 10_000);
    } catch (error) {
      lastError = error;
      if (error instanceof SmokeTestFailure) throw error;
      if (attempt < attempts) await new Promise((r) => setTimeout(r, options.delayMs ?? 1_000));
    }
  }
  throw new ActionError(
    `smoke test: ${baseUrl} unreachable: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

/** The service answered, but wrongly: retrying will not help. */
export class SmokeTestFailure extends ActionError {
  override readonly name = 'SmokeTestFailure';
}

async function checkOnce(baseUrl: string, timeoutMs: number): Promise<HttpSmokeResult> {
  const readyz = await fetch(new URL('/readyz', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
  const readyText = (await readyz.text()).trim();
  if (readyz.status !== 200) {
    throw new SmokeTestFailure(
      `smoke test: GET /readyz answered ${readyz.status}: ${readyText.slice(0, 200)}`,
    );
  }
  const root = await fetch(new URL('/', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
  const firstLine = (await root.text()).split(/\r?\n/, 1)[0] ?? '';
  if (root.status !== 200 || !STATUS_LINE.test(firstLine)) {
    throw new SmokeTestFailure(`smoke test: GET / answered ${root.status}: ${firstLine.slice(0, 200)}`);
  }
  return { readyz: readyText, statusLine: firstLine };
}
