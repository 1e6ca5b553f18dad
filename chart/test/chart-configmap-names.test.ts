import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { IConfigMap } from 'kubernetes-models/v1';
import {
  HELM_SETUP_TIMEOUT_MS,
  HELM_TEST_TIMEOUT_MS,
  RELEASE,
  contentConfigMap,
  only,
  prepareHelm,
  renderChart,
  withValuesFile,
  type Manifest,
} from './helm-chart.js';
import { SCENARIOS } from './scenarios.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

/**
 * The ConfigMaps the pods read are named after their content (contentName in _helpers.tpl). A new
 * incidents file or new envVars is a new immutable ConfigMap under a new name: the pods already
 * serving keep reading their own revision's data, and the new name in the pod template is what
 * rolls the pods. So a name must change when, and only when, its data changes.
 */

const FULLNAME = `${RELEASE}-incidents-service`;

interface Names {
  env: string;
  incidents: string;
}

function names(manifests: readonly Manifest[]): Names {
  return {
    env: contentConfigMap(manifests, 'env').metadata?.name ?? '',
    incidents: contentConfigMap(manifests, 'incidents').metadata?.name ?? '',
  };
}

async function namesOf(values: unknown, extraArgs: readonly string[] = []): Promise<Names> {
  return names(await renderChart(values, extraArgs));
}

const hashOf = (name: string) => name.slice(-10);

describe('the content-named ConfigMaps', () => {
  let base: Names;
  beforeAll(async () => {
    base = await namesOf({});
  }, HELM_SETUP_TIMEOUT_MS);

  it('are named <fullname>-env-<hash> and <fullname>-incidents-<hash>, 10 hex digits each', () => {
    expect(base).toEqual({
      env: expect.stringMatching(new RegExp(`^${FULLNAME}-env-[0-9a-f]{10}$`)),
      incidents: expect.stringMatching(new RegExp(`^${FULLNAME}-incidents-[0-9a-f]{10}$`)),
    });
  });

  it('get the same names when the same values are rendered again', async () => {
    expect(await namesOf({})).toEqual(base);
  });

  it('a new incidents list renames the incidents ConfigMap only', async () => {
    const changed = await namesOf({ incidents: [{ date: '2026-01-02', description: 'new' }] });
    expect(changed.incidents).not.toBe(base.incidents);
    expect(changed.env).toBe(base.env);
  });

  it('new envVars rename the env ConfigMap only', async () => {
    const changed = await namesOf({ envVars: { TZ: 'Europe/Vienna' } });
    expect(changed.env).not.toBe(base.env);
    expect(changed.incidents).toBe(base.incidents);
  });

  it('values that leave both data alone rename neither: image, replicas, pod annotations and labels', async () => {
    // The ConfigMaps' labels carry the image tag; only the data is hashed, so an image-only
    // upgrade keeps both ConfigMaps.
    const changed = await namesOf({
      image: { tag: '2.0.0' },
      replicaCount: 3,
      podAnnotations: { 'example.com/restarted-at': '2026-11-25T10:00:00Z' },
      podLabels: { team: 'sre' },
    });
    expect(changed).toEqual(base);
  });

  it('follow the data, not how the values spell it: a list and the file it becomes, a number and its text', async () => {
    const custom = SCENARIOS['custom envVars and incidents'];
    const fromList = await renderChart(custom);
    const file = contentConfigMap(fromList, 'incidents').data?.['incidents.yaml'];
    const fromFile = await namesOf({
      ...custom,
      incidentsFile: file,
      envVars: { TZ: 'Europe/Vienna', LOG_LEVEL: 'debug', FEATURE_JSON: 'true', CACHE_SECONDS: '30' },
    });
    expect(fromFile).toEqual(names(fromList));
  });

  it('one changed byte of the file renames it: a CRLF line end, an accented letter', async () => {
    const lf = 'incidents:\n  - date: 2025-03-14\n    title: Zürich\n';
    const variants = [lf, lf.replace(/\n/g, '\r\n'), lf.replace('ü', 'u')];
    const renamed = await Promise.all(variants.map((incidentsFile) => namesOf({ incidentsFile })));
    expect(new Set(renamed.map((n) => n.incidents)).size).toBe(3);
    expect(new Set(renamed.map((n) => n.env))).toEqual(new Set([base.env]));
  });

  it('keep a --set-file CRLF and unicode file byte for byte, under the same name on every render', async () => {
    const text = '# Zürich — 証明書\r\nincidents:\r\n  - date: 2025-01-02\r\n    title: "café"';
    // withValuesFile writes text as given; here it is the incidents file, not values.
    const render = () =>
      withValuesFile(text, (file) => renderChart({}, ['--set-file', `incidentsFile=${file}`]));
    const [first, second] = [await render(), await render()];
    expect(contentConfigMap(first, 'incidents').data?.['incidents.yaml']).toBe(text);
    expect(names(second)).toEqual(names(first));
    expect(names(first).incidents).not.toBe(base.incidents);
  });

  it('shorten the full name, never the hash, to stay within 63 characters', async () => {
    const long = await namesOf({ fullnameOverride: 'a'.repeat(63) });
    for (const name of Object.values(long)) expect(name.length).toBeLessThanOrEqual(63);
    expect(long.env).toMatch(/^a+-env-[0-9a-f]{10}$/);
    expect(long.incidents).toMatch(/^a+-incidents-[0-9a-f]{10}$/);
    // The same data as the defaults: the same hashes, whole.
    expect([hashOf(long.env), hashOf(long.incidents)]).toEqual([hashOf(base.env), hashOf(base.incidents)]);
  });

  it('come before the Deployment in the manifest, the order in which Helm applies it', async () => {
    // A rollback re-applies an old manifest: its ConfigMaps, deleted by the upgrade, must exist
    // again before the Deployment points back at them. Helm sorts by kind for this.
    const kinds = (await renderChart({})).map((m) => m.kind);
    expect(kinds.filter((kind) => kind === 'ConfigMap')).toHaveLength(2);
    expect(kinds.lastIndexOf('ConfigMap')).toBeLessThan(kinds.indexOf('Deployment'));
  });

  it('a new file changes the pod template in the ConfigMap name alone, which rolls the pods', async () => {
    const template = async (incidentsFile: string) => {
      const manifests = await renderChart({ incidentsFile });
      return {
        name: names(manifests).incidents,
        json: JSON.stringify(only(manifests, 'Deployment').spec?.template),
      };
    };
    const a = await template('incidents:\n  - date: 2025-01-02\n');
    const b = await template('incidents:\n  - date: 2025-01-03\n');
    expect(b.json).not.toBe(a.json);
    expect(b.json.split(b.name).join(a.name)).toBe(a.json);
  });
});

describe('the ConfigMaps and the Deployment, with every option', () => {
  it.each(Object.entries(SCENARIOS))(
    '%s: both are immutable and the pods read exactly these two',
    async (_name, values) => {
      const manifests = await renderChart(values);
      const configMaps = manifests.filter((m) => m.kind === 'ConfigMap') as IConfigMap[];
      expect(configMaps.map((m) => m.immutable)).toEqual([true, true]);

      const pod = only(manifests, 'Deployment').spec?.template.spec;
      const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
      const referenced = [
        ...(pod?.volumes ?? []).flatMap((v) => v.configMap?.name ?? []),
        ...containers.flatMap((c) => (c.envFrom ?? []).flatMap((e) => e.configMapRef?.name ?? [])),
        ...containers.flatMap((c) => (c.env ?? []).flatMap((e) => e.valueFrom?.configMapKeyRef?.name ?? [])),
      ];
      expect(referenced.sort()).toEqual(configMaps.map((m) => m.metadata?.name).sort());

      const { env, incidents } = names(manifests);
      expect(pod?.volumes?.find((v) => v.name === 'incidents')?.configMap?.name).toBe(incidents);
      expect(pod?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: env } }]);
    },
    HELM_SETUP_TIMEOUT_MS,
  );
});
