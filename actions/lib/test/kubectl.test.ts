import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { releaseSelector } from '../src/deploy.js';
import { inlineValuesSecrets, imageValues, isSecretKey } from '../src/deploy-values.js';
import { diagnosticsMarkdown, formatEvents } from '../src/deploy-diagnostics.js';
import {
  failingPods,
  KubectlClient,
  parseEvents,
  parseForwardedPort,
  parsePods,
  parseReadyCount,
  parseServices,
} from '../src/kubectl.js';
import { httpSmokeTest } from '../src/smoke-test.js';
import { createStandIns, type StandIns } from '@incidents-pipeline/test-support/stand-in-tools';

const list = (items: unknown[]) => JSON.stringify({ kind: 'List', items });

describe('kubectl output parsing', () => {
  it('finds failing pods and why they fail', () => {
    const pods = parsePods(
      list([
        {
          metadata: { name: 'ok' },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [{ restartCount: 0, state: { running: {} } }],
          },
        },
        {
          metadata: { name: 'crashing' },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'False' }],
            containerStatuses: [
              {
                restartCount: 3,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
                lastState: { terminated: { reason: 'OOMKilled' } },
              },
            ],
          },
        },
        {
          metadata: { name: 'pulling' },
          status: {
            phase: 'Pending',
            containerStatuses: [{ restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }],
          },
        },
        {
          metadata: { name: 'test-pod' },
          status: {
            phase: 'Succeeded',
            containerStatuses: [{ state: { terminated: { reason: 'Completed' } } }],
          },
        },
      ]),
    );
    expect(pods[1]).toEqual({
      name: 'crashing',
      phase: 'Running',
      ready: false,
      restarts: 3,
      reasons: ['CrashLoopBackOff', 'OOMKilled'],
    });
    expect(failingPods(pods).map((p) => p.name)).toEqual(['crashing', 'pulling']);
  });

  it('orders events by when they were last seen, whichever field carries it', () => {
    const events = parseEvents(
      list([
        {
          type: 'Warning',
          reason: 'BackOff',
          message: 'b',
          involvedObject: { kind: 'Pod', name: 'p' },
          lastTimestamp: '2026-11-25T10:02:00Z',
          count: 4,
        },
        {
          type: 'Warning',
          reason: 'Failed',
          message: 'a',
          involvedObject: { kind: 'Pod', name: 'p' },
          lastTimestamp: null,
          eventTime: '2026-11-25T10:01:00.000000Z',
        },
      ]),
    );
    expect(events.map((e) => e.reason)).toEqual(['Failed', 'BackOff']);
    expect(formatEvents(events)).toContain('Warning BackOff Pod/p (x4): b');
  });

  it('sums ready replicas over deployments and lists service ports', () => {
    expect(
      parseReadyCount(
        list([
          { spec: { replicas: 2 }, status: { readyReplicas: 1 } },
          { spec: { replicas: 1 }, status: {} },
        ]),
      ),
    ).toEqual({ ready: 1, desired: 3 });
    expect(
      parseServices(list([{ metadata: { name: 's' }, spec: { ports: [{ name: 'http', port: 80 }] } }])),
    ).toEqual([{ name: 's', ports: [{ name: 'http', port: 80 }] }]);
  });

  it('reads the local port kubectl port-forward chose', () => {
    expect(parseForwardedPort('Forwarding from 127.0.0.1:41877 -> 3000\n')).toBe(41877);
    expect(parseForwardedPort('error: unable to forward')).toBeUndefined();
  });

  it('escapes tool output in the summary markdown', () => {
    const md = diagnosticsMarkdown({
      events: [
        { type: 'Warning', reason: 'X', object: 'Pod/p', message: '<script>', count: 1, lastSeen: 't' },
      ],
      pods: [],
      problems: [],
    });
    expect(md).toContain('&lt;script&gt;');
    expect(md).not.toContain('<script>');
  });
});

describe('KubectlClient against the stand-in kubectl', () => {
  let tools: StandIns | undefined;
  afterEach(() => {
    tools?.cleanup();
    tools = undefined;
  });

  it("lists a release's pods by the chart's selector labels, parsed", async () => {
    const pod = {
      metadata: { name: 'incidents-service-7d9f-abcde' },
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'incidents-service', image: 'r/i:1.0.0', imageID: 'r/i@sha256:1' }],
      },
    };
    tools = createStandIns(['kubectl'], { pods: [pod] });
    const kubectl = new KubectlClient({ env: tools.env, context: 'staging' });
    expect(await kubectl.releasePods('incidents', 'incidents-service')).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [pod],
    });
    // Instance and name: the release's own pods, never its helm test pod (which has no name label).
    const [call] = tools.calls('kubectl').map((c) => c.args);
    const flag = (name: string) => call[call.indexOf(name) + 1];
    expect(flag('--selector')).toBe('app.kubernetes.io/instance=incidents-service,app.kubernetes.io/name');
    expect(flag('--namespace')).toBe('incidents');
    expect(flag('--context')).toBe('staging');
  });
});

describe('values handling', () => {
  it('collects values under keys that name a credential, at any depth and in lists', () => {
    const yaml = [
      'envVars:',
      '  TZ: Europe/Vienna',
      '  API_TOKEN: tok-123',
      'db:',
      '  password: "p@ss word"',
      '  host: db.internal',
      'webhook:',
      '  secret:',
      '    - first-secret',
      '    - second-secret',
      'tls:',
      '  privateKey: |',
      '    -----BEGIN KEY-----',
      'replicaCount: 2',
    ].join('\n');
    expect(inlineValuesSecrets('values', yaml).sort()).toEqual(
      [
        '-----BEGIN KEY-----\n',
        '-----BEGIN KEY-----',
        'first-secret',
        'p@ss word',
        'second-secret',
        'tok-123',
      ].sort(),
    );
  });

  it('never masks booleans, numbers, short values or values under ordinary keys', () => {
    const yaml = [
      'auth:',
      '  enabled: true',
      '  tokenTTL: 3600',
      '  password: short',
      '  secretName: "false"',
      'credentials:',
      '  - 424242424242',
      'affinity:',
      '  topologyKey: kubernetes.io/hostname',
      'tokenizer: whitespace-tokenizer',
      'passthrough: enabled-by-default',
      'apiKeyFile: /run/secrets/api-key',
    ].join('\n');
    // Only the file path under apiKeyFile (api + key) is masked; everything else stays readable.
    expect(inlineValuesSecrets('values', yaml)).toEqual(['/run/secrets/api-key']);
  });

  it('reads credential names from the words of a key', () => {
    for (const key of [
      'password',
      'dbPassword',
      'API_TOKEN',
      'clientSecret',
      'apiKey',
      'api-key',
      'private_key',
      'credentials',
    ])
      expect({ key, secret: isSecretKey(key) }).toEqual({ key, secret: true });
    for (const key of ['topologyKey', 'tokenizer', 'passthrough', 'keyPrefix', 'enabled', 'privateRegistry'])
      expect({ key, secret: isSecretKey(key) }).toEqual({ key, secret: false });
  });

  it('refuses values that are not a YAML mapping, without quoting them', () => {
    expect(() => inlineValuesSecrets('values', 'password: [s3cret')).toThrow(
      /input 'values': is not valid YAML/,
    );
    expect(() => inlineValuesSecrets('values', 'password: [s3cret')).not.toThrow(/s3cret/);
    expect(() => inlineValuesSecrets('values', '"just a string"')).toThrow(/must be a YAML mapping/);
  });

  it('passes only the image fields that were given', () => {
    expect(imageValues('r', '1.0.0')).toEqual({ image: { repository: 'r', tag: '1.0.0' } });
    expect(imageValues(undefined, '1.0.0')).toEqual({ image: { tag: '1.0.0' } });
    expect(imageValues()).toBeUndefined();
    expect(releaseSelector('incidents-service')).toBe('app.kubernetes.io/instance=incidents-service');
  });
});

describe('httpSmokeTest against a real server on 127.0.0.1', () => {
  async function serve(readyz: number, root: string): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' ? readyz : root.startsWith('status:') ? 200 : 500);
      res.end(req.url === '/readyz' ? 'ready\n' : root);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  }

  it('passes on /readyz 200 and the status line on /', async () => {
    const { server, url } = await serve(200, 'status: 1 day since the last incident\nincidents: []\n');
    try {
      expect(await httpSmokeTest(url)).toEqual({
        readyz: 'ready',
        statusLine: 'status: 1 day since the last incident',
      });
    } finally {
      server.close();
    }
  });

  it('fails at once on a wrong answer', async () => {
    const { server, url } = await serve(200, 'error: no valid incident date\n');
    try {
      await expect(httpSmokeTest(url, { attempts: 1 })).rejects.toThrow(
        /GET \/ answered 500: error: no valid incident date/,
      );
    } finally {
      server.close();
    }
  });

  it('retries, then names an unreachable address', async () => {
    const { server, url } = await serve(200, '');
    await new Promise((r) => server.close(r));
    await expect(httpSmokeTest(url, { attempts: 2, delayMs: 10 })).rejects.toThrow(/unreachable/);
  });
});
