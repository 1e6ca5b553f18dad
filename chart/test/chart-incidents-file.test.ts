import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'yaml';
import {
  HELM_SETUP_TIMEOUT_MS,
  HELM_TEST_TIMEOUT_MS,
  contentConfigMap,
  prepareHelm,
  renderChart,
  type Manifest,
} from './helm-chart.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

/** What the pods read at /etc/incidents/incidents.yaml. */
function mountedFile(manifests: Manifest[]): string {
  const file = contentConfigMap(manifests, 'incidents').data?.['incidents.yaml'];
  if (file === undefined) throw new Error('the incidents ConfigMap has no incidents.yaml');
  return file;
}

/** An operator's file: comments, keys in their own order, quoting, unicode, blank lines. */
const OPERATOR_TEXT = [
  '# Incidents of the payment API — keep newest first',
  'incidents:',
  '  # the big one',
  "  - title: 'Zürich DC power loss'   # title before date, on purpose",
  '    date: 2025-03-14',
  '    minutes: 42',
  '',
  '  - date: "2024-12-01"',
  '    title: 証明書の期限切れ',
  '',
].join('\n');

describe('the incidents file in the ConfigMap', () => {
  it('incidentsFile from a values file is mounted exactly as written', async () => {
    const values = `incidentsFile: |\n${OPERATOR_TEXT.split('\n')
      .map((line) => (line === '' ? '' : `  ${line}`))
      .join('\n')}`;
    expect(mountedFile(await renderChart(values))).toBe(OPERATOR_TEXT);
  });

  it('incidentsFile from --set-file keeps every byte: CRLF, tabs, leading spaces, no final newline', async () => {
    const text =
      '  # indented first line\r\nincidents:\r\n\t# tab\r\n  - date: 2025-01-02   \r\n  - "2024-05-06"';
    const dir = await mkdtemp(path.join(tmpdir(), 'incidents-chart-file-'));
    try {
      const file = path.join(dir, 'incidents.yaml');
      await writeFile(file, text);
      const manifests = await renderChart({}, ['--set-file', `incidentsFile=${file}`]);
      expect(mountedFile(manifests)).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('incidentsFile wins over the incidents list', async () => {
    const manifests = await renderChart({
      incidents: [{ date: '2020-01-01' }],
      incidentsFile: 'incidents:\n  - date: 2025-01-02\n',
    });
    expect(mountedFile(manifests)).toBe('incidents:\n  - date: 2025-01-02\n');
  });

  it('without incidentsFile, the incidents list becomes the file', async () => {
    const incidents = [{ date: '2025-03-14', description: 'Certificate expired' }];
    expect(parse(mountedFile(await renderChart({ incidents })))).toEqual({ incidents });
  });
});
