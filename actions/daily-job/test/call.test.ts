import { afterEach, describe, expect, test } from '@jest/globals';
import { CallError, callEndpoint } from '../src/call.js';
import { json, startServer, type Handler, type LoopbackServer } from './loopback-server.js';

const TOKEN = 'call-test-token-4c1f9a';
const fast = { retries: 3, timeoutMs: 2000, baseDelayMs: 1 };

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler) {
  server = await startServer(handler);
  return server;
}

async function failure(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CallError);
    return error as CallError;
  }
  throw new Error('the call succeeded');
}

describe('callEndpoint against a loopback server', () => {
  test('sends the bearer token and the JSON body, and returns the status', async () => {
    const s = await serve((_req, res) => json(res, 201, { ok: true }));
    const result = await callEndpoint(
      { url: `${s.origin}/hooks/daily?x=1`, method: 'POST', token: TOKEN, body: '{"job":"daily"}' },
      fast,
    );
    expect(result).toEqual({ status: 201, attempts: 1 });
    expect(s.requests).toHaveLength(1);
    const [req] = s.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/hooks/daily?x=1', body: '{"job":"daily"}' });
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json');
  });

  test('no body: no content-type', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    await callEndpoint({ url: s.origin, method: 'PUT', token: TOKEN }, fast);
    expect(s.requests[0].method).toBe('PUT');
    expect(s.requests[0].headers['content-type']).toBeUndefined();
    expect(s.requests[0].body).toBe('');
  });

  test('503 then success: retried', async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? json(res, 503, { error: 'busy' }) : json(res, 200, {}),
    );
    expect(await callEndpoint({ url: s.origin, method: 'POST', token: TOKEN }, fast)).toEqual({
      status: 200,
      attempts: 2,
    });
    expect(s.requests).toHaveLength(2);
  });

  test('5xx every time: gives up after the retries with the last status', async () => {
    const s = await serve((_req, res) => json(res, 502, { error: 'bad gateway' }));
    const error = await failure(
      callEndpoint({ url: s.origin, method: 'POST', token: TOKEN }, { ...fast, retries: 2 }),
    );
    expect(s.requests).toHaveLength(3);
    expect(error.status).toBe(502);
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/ answered 502 Bad Gateway: .*\(3 attempts\)$/,
    );
  });

  test('401 fails at once, without retry, and the error keeps the token out even when the server echoes it', async () => {
    const s = await serve((req, res) =>
      json(res, 401, { error: 'unauthorized', got: req.headers.authorization }),
    );
    const error = await failure(callEndpoint({ url: s.origin, method: 'POST', token: TOKEN }, fast));
    expect(s.requests).toHaveLength(1);
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(1);
    expect(error.message).toContain('answered 401 Unauthorized');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).toContain('Bearer ***');
  });

  test('429 with Retry-After: waits what the server asked before the next attempt', async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, {}),
    );
    const result = await callEndpoint({ url: s.origin, method: 'POST', token: TOKEN }, fast);
    expect(result).toEqual({ status: 200, attempts: 2 });
    // The backoff alone would wait about 1 ms; only Retry-After explains a second's gap.
    expect(s.requests[1].at - s.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  test('a server that never answers hits the per-attempt timeout on every attempt', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const error = await failure(
      callEndpoint({ url: s.origin, method: 'POST', token: TOKEN }, { ...fast, retries: 1, timeoutMs: 300 }),
    );
    expect(s.requests).toHaveLength(2);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/gave no answer within 0\.3s \(2 attempts\)$/);
  });

  test('a closed port is a network error and is retried', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    const url = s.origin;
    await s.close();
    server = undefined;
    const error = await failure(callEndpoint({ url, method: 'POST', token: TOKEN }, { ...fast, retries: 2 }));
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('network error ECONNREFUSED');
  });

  test('a redirect is not followed, so the token stays with the configured host', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/moved') return json(res, 200, {});
      res.writeHead(302, { location: '/moved' });
      res.end();
    });
    const error = await failure(callEndpoint({ url: `${s.origin}/old`, method: 'POST', token: TOKEN }, fast));
    expect(s.requests.map((r) => r.url)).toEqual(['/old']);
    expect(error.status).toBe(302);
    expect(error.message).toContain('redirects are not followed');
  });
});
