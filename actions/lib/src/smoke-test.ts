import { ActionError } from './errors.js';

/**
 * The HTTP smoke test of a deployed service: `/readyz` answers 200 and `/` answers 200 with the
 * service's status line. Run through a port-forward on 127.0.0.1, so it checks the Service, the pods
 * behind it and the incidents file they mounted, not just that Helm was content.
 */

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
