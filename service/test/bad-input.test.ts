import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import {
  askUntil,
  binary,
  daysAgo,
  scratchDir,
  startApp,
  testConfig,
  writeIncidents,
} from './app-harness.js';

/** A file of at least `bytes`, unicode and CRLF throughout, whose newest incident is 9 days ago. */
function largeFile(bytes: number): Buffer {
  const lines = ['# Großes Archiv — 大きなファイル\r\n', 'incidents:\r\n'];
  let size = 0;
  for (let index = 0; size < bytes; index += 1) {
    const line = `  - date: ${daysAgo(100 + (index % 3000))}\r\n    title: "Störung ${index} — 障害"\r\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  lines.push(`  - date: ${daysAgo(9)}\r\n    title: newest, last in the file\r\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

/**
 * A bad file at start keeps the original contract: with no good answer to fall back on, `/` answers
 * 500 with a one-line reason and `/readyz` 503, and the app serves as soon as the file is fixed.
 * (A file that turns bad later, after a good one, is last-good.test.ts's concern.)
 */
describe('a bad incidents file at start', () => {
  const scratch = scratchDir();
  // Dates are computed when used, never when the file loads: a run may cross midnight.
  const good = () => `incidents:\n  - date: ${daysAgo(2)}\n`;
  const apps: NestExpressApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
    scratch.remove();
  });

  async function startOn(content: string | Buffer | undefined, name: string) {
    const file =
      content === undefined ? `${scratch.dir}/${name}` : writeIncidents(scratch.dir, content, name);
    const { app } = await startApp(testConfig(file));
    apps.push(app);
    const get = (path: string) => request(app.getHttpServer()).get(path);
    return { app, file, get };
  }

  async function expectBroken(get: (path: string) => request.Test, reason: RegExp | string): Promise<void> {
    const root = await get('/');
    expect(root.status).toBe(500);
    expect(root.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(root.text).toMatch(/^error: [^\n]+\n$/);
    const said = root.text.slice('error: '.length, -1);
    if (typeof reason === 'string') expect(said).toBe(reason);
    else expect(said).toMatch(reason);
    const nest = await get('/?via=nest');
    expect([nest.status, nest.text]).toEqual([500, root.text]);
    const ready = await get('/readyz');
    expect([ready.status, ready.text]).toEqual([503, `not ready: ${said}\n`]);
    const json = await get('/').set('Accept', 'application/json');
    expect([json.status, json.body]).toEqual([500, { error: said }]);
    expect((await get('/healthz')).status).toBe(200);
    const metrics = (await get('/metrics')).text;
    expect(metrics).toMatch(/^incidents_file_valid 0$/m);
    expect(metrics).toMatch(/^incidents_file_last_reload_successful 0$/m);
    expect(metrics).toMatch(/^incidents_file_last_good_load_timestamp_seconds 0$/m);
    expect(metrics).toMatch(/^incidents_reload_errors_total 1$/m);
  }

  async function expectServing(get: (path: string) => request.Test, days = 2): Promise<void> {
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.text.split('\n', 1)[0]).toBe(`status: ${days} days since the last incident`);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).text).toMatch(/^incidents_file_last_reload_successful 1$/m);
  }

  it.each<
    [string, () => string | Buffer | undefined, (file: string, content?: string | Buffer) => RegExp | string]
  >([
    [
      'malformed YAML',
      () => 'incidents:\n  - date: [2025-01-01\n  - oops: }\n',
      () => /^malformed YAML at line \d+, column \d+: .+/,
    ],
    [
      'a missing incidents key',
      () => `events:\n  - date: ${daysAgo(1)}\n`,
      () => 'no "incidents" key in the file',
    ],
    ['an empty list', () => 'incidents: []\n', () => 'the "incidents" list is empty'],
    [
      'only invalid dates',
      () => 'incidents:\n  - date: someday\n  - date: 12/31/2025\n  - {}\n',
      () => 'none of the 3 incidents has a valid YYYY-MM-DD date',
    ],
    [
      'the date 2025-13-40',
      () => 'incidents:\n  - date: 2025-13-40\n',
      () => 'none of the 1 incidents has a valid YYYY-MM-DD date',
    ],
    [
      'only future dates',
      () => `incidents:\n  - date: ${daysAgo(-30)}\n`,
      () => /^no incident dated on or before today \(\d{4}-\d{2}-\d{2} in UTC\)$/,
    ],
    ['a list that is not a list', () => 'incidents: none\n', () => '"incidents" must be a list'],
    ['a missing file', () => undefined, (file) => `incidents file ${file} does not exist`],
    [
      'a 5 MB file, refused unread with its size and the limit',
      () => largeFile(5 * 1024 * 1024),
      (file, content) =>
        `incidents file ${file} is ${content?.length} bytes, over the limit of 1048576 (INCIDENTS_MAX_BYTES)`,
    ],
  ])('%s: 500 and 503 until the file is fixed', async (kind, content, reason) => {
    const bytes = content();
    const { file, get } = await startOn(bytes, `${kind.replace(/\W+/g, '-')}.yaml`);
    await expectBroken(get, reason(file, bytes));
    // Checked again and again, the failure counts once (expectBroken's metrics say 1 every time).
    await expectBroken(get, reason(file, bytes));
    writeIncidents(scratch.dir, good(), file.slice(scratch.dir.length + 1));
    await expectServing(get);
  });
});

describe('files that are served', () => {
  const scratch = scratchDir();
  let app: NestExpressApplication;

  beforeAll(async () => {
    ({ app } = await startApp(
      testConfig(writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(2)}\n`)),
    ));
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);

  async function expectServing(days = 2): Promise<void> {
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.text.split('\n', 1)[0]).toBe(`status: ${days} days since the last incident`);
    expect((await get('/readyz')).status).toBe(200);
  }

  it('an invalid 2025-13-40 next to a valid date is skipped, not fatal', async () => {
    writeIncidents(scratch.dir, `incidents:\n  - date: 2025-13-40\n  - date: ${daysAgo(7)}\n`);
    await expectServing(7);
    const json = await get('/').set('Accept', 'application/json');
    expect(json.body).toMatchObject({ days: 7, skipped: 1, incidents: [{ date: daysAgo(7) }] });
  });

  it('a large file within the limit is served whole, unicode and CRLF intact', async () => {
    const content = largeFile(600 * 1024);
    writeIncidents(scratch.dir, content);
    const expected = Buffer.concat([Buffer.from('status: 9 days since the last incident\n'), content]);
    const response = await askUntil(
      () => get('/').buffer(true).parse(binary),
      ({ body }) => (body as Buffer).equals(expected),
    );
    expect(response.status).toBe(200);
    expect((response.body as Buffer).equals(expected)).toBe(true);
    const json = await get('/').set('Accept', 'application/json');
    expect(json.body.lastIncident).toEqual({ date: daysAgo(9), title: 'newest, last in the file' });
  }, 60_000);
});
