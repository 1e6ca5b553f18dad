import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
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

/**
 * One running app, one file that each case breaks in its own way: every case must answer its
 * documented status with a one-line reason, and the app must serve again once the file is fixed.
 */
describe('bad incidents files', () => {
  const scratch = scratchDir();
  // Dates are computed when used, never when the file loads: a run may cross midnight.
  const good = () => `incidents:\n  - date: ${daysAgo(2)}\n`;
  let app: NestExpressApplication;
  let file: string;

  beforeAll(async () => {
    file = writeIncidents(scratch.dir, good());
    ({ app } = await startApp(testConfig(file)));
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);

  async function reloadErrors(): Promise<number> {
    const metrics = (await get('/metrics')).text;
    return Number(/^incidents_reload_errors_total (\d+)$/m.exec(metrics)?.[1]);
  }

  async function expectBroken(reason: RegExp | string): Promise<void> {
    const root = await get('/');
    expect(root.status).toBe(500);
    expect(root.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(root.text).toMatch(/^error: [^\n]+\n$/);
    const said = root.text.slice('error: '.length, -1);
    if (typeof reason === 'string') expect(said).toBe(reason);
    else expect(said).toMatch(reason);
    const ready = await get('/readyz');
    expect([ready.status, ready.text]).toEqual([503, `not ready: ${said}\n`]);
    const json = await get('/').set('Accept', 'application/json');
    expect([json.status, json.body]).toEqual([500, { error: said }]);
    expect((await get('/healthz')).status).toBe(200);
  }

  async function expectServing(days = 2): Promise<void> {
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.text.split('\n', 1)[0]).toBe(`status: ${days} days since the last incident`);
    expect((await get('/readyz')).status).toBe(200);
  }

  it.each<[string, () => string, RegExp | string]>([
    [
      'malformed YAML',
      () => 'incidents:\n  - date: [2025-01-01\n  - oops: }\n',
      /^malformed YAML at line \d+, column \d+: .+/,
    ],
    ['a missing incidents key', () => `events:\n  - date: ${daysAgo(1)}\n`, 'no "incidents" key in the file'],
    ['an empty list', () => 'incidents: []\n', 'the "incidents" list is empty'],
    [
      'only invalid dates',
      () => 'incidents:\n  - date: someday\n  - date: 12/31/2025\n  - {}\n',
      'none of the 3 incidents has a valid YYYY-MM-DD date',
    ],
    [
      'the date 2025-13-40',
      () => 'incidents:\n  - date: 2025-13-40\n',
      'none of the 1 incidents has a valid YYYY-MM-DD date',
    ],
    [
      'only future dates',
      () => `incidents:\n  - date: ${daysAgo(-30)}\n`,
      /^no incident dated on or before today \(\d{4}-\d{2}-\d{2} in UTC\)$/,
    ],
    ['a list that is not a list', () => 'incidents: none\n', '"incidents" must be a list'],
  ])('%s', async (_case, content, reason) => {
    writeIncidents(scratch.dir, good());
    await expectServing();
    const errorsBefore = await reloadErrors();
    writeIncidents(scratch.dir, content());
    await expectBroken(reason);
    expect(await reloadErrors()).toBe(errorsBefore + 1);
    writeIncidents(scratch.dir, good());
    await expectServing();
  });

  it('a file that disappears while running, and comes back', async () => {
    writeIncidents(scratch.dir, good());
    await expectServing();
    rmSync(file);
    await expectBroken(`incidents file ${file} does not exist`);
    await expectBroken(`incidents file ${file} does not exist`);
    writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(5)}\n`);
    await expectServing(5);
  });

  it('an invalid 2025-13-40 next to a valid date is skipped, not fatal', async () => {
    writeIncidents(scratch.dir, `incidents:\n  - date: 2025-13-40\n  - date: ${daysAgo(7)}\n`);
    await expectServing(7);
    const json = await get('/').set('Accept', 'application/json');
    expect(json.body).toMatchObject({ days: 7, skipped: 1, incidents: [{ date: daysAgo(7) }] });
  });

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

  it('a 5 MB file is refused unread, with its size and the limit', async () => {
    writeIncidents(scratch.dir, good());
    await expectServing();
    const errorsBefore = await reloadErrors();
    const content = largeFile(5 * 1024 * 1024);
    writeIncidents(scratch.dir, content);
    await expectBroken(
      `incidents file ${file} is ${content.length} bytes, over the limit of 1048576 (INCIDENTS_MAX_BYTES)`,
    );
    expect(await reloadErrors()).toBe(errorsBefore + 1);
    writeIncidents(scratch.dir, good());
    await expectServing();
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
