import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { binary, daysAgo, scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

// Raw bytes matter: a BOM-free UTF-8 file with CRLF line ends, comments and non-ASCII text. Built
// for each test, never when this file loads: a run may cross midnight between the two.
const incidentsText = () =>
  [
    '# Incidents — production ☕',
    'incidents:',
    `  - date: ${daysAgo(40)}   # unquoted: must stay a calendar date`,
    '    title: Zürich DC power loss',
    `  - date: "${daysAgo(3)}"`,
    '    title: 証明書の期限切れ',
    `  - date: ${daysAgo(-5)}`,
    '    title: planned for the future',
    '',
  ].join('\r\n');

describe('HTTP contract', () => {
  const scratch = scratchDir();
  let app: NestExpressApplication;
  let fileText: string;

  beforeAll(async () => {
    ({ app } = await startApp(testConfig(writeIncidents(scratch.dir, incidentsText()))));
  });
  beforeEach(() => {
    fileText = incidentsText();
    writeIncidents(scratch.dir, Buffer.from(fileText, 'utf8'));
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  it('GET / answers the status line and the raw file, byte for byte', async () => {
    const response = await request(app.getHttpServer()).get('/').buffer(true).parse(binary);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    const expected = Buffer.concat([
      Buffer.from('status: 3 days since the last incident\n'),
      Buffer.from(fileText, 'utf8'),
    ]);
    expect((response.body as Buffer).equals(expected)).toBe(true);
    expect(response.headers['content-length']).toBe(String(expected.length));
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });

  it('the Nest controller and the plain GET / path answer the same bytes', async () => {
    const server = app.getHttpServer();
    // Plain GET / is answered before Express: Express's listener has been replaced by the fast lane.
    expect(server.listeners('request')).not.toContain(app.getHttpAdapter().getInstance());
    const plain = await request(server).get('/').buffer(true).parse(binary);
    // A query string sends the same request through Express, Nest and the controller.
    const viaNest = await request(server).get('/?via=nest').buffer(true).parse(binary);
    expect(viaNest.status).toBe(plain.status);
    for (const header of ['content-type', 'content-length', 'vary']) {
      expect(viaNest.headers[header]).toBe(plain.headers[header]);
    }
    expect((viaNest.body as Buffer).equals(plain.body as Buffer)).toBe(true);
  });

  it('HEAD / answers the headers only', async () => {
    const response = await request(app.getHttpServer()).head('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('GET / with Accept: application/json answers JSON, newest first, future entries left out', async () => {
    const response = await request(app.getHttpServer()).get('/').set('Accept', 'application/json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({
      status: 'status: 3 days since the last incident',
      days: 3,
      today: daysAgo(0),
      timeZone: 'UTC',
      lastIncident: { date: daysAgo(3), title: '証明書の期限切れ' },
      incidents: [
        { date: daysAgo(3), title: '証明書の期限切れ' },
        { date: daysAgo(40), title: 'Zürich DC power loss' },
      ],
      skipped: 1,
    });
  });

  it('GET /healthz and /readyz', async () => {
    const health = await request(app.getHttpServer()).get('/healthz');
    expect([health.status, health.text, health.headers['content-type']]).toEqual([
      200,
      'ok\n',
      'text/plain; charset=utf-8',
    ]);
    const ready = await request(app.getHttpServer()).get('/readyz');
    expect([ready.status, ready.text, ready.headers['content-type']]).toEqual([
      200,
      'ready\n',
      'text/plain; charset=utf-8',
    ]);
  });

  it('GET /metrics exposes request counts, latency, days since the last incident and the reloads', async () => {
    await request(app.getHttpServer()).get('/');
    await request(app.getHttpServer()).get('/nowhere');
    const response = await request(app.getHttpServer()).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^http_requests_total\{method="GET",route="\/",status="200"\} [1-9]\d*$/m);
    expect(response.text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(response.text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/"\} [1-9]\d*$/m,
    );
    expect(response.text).toMatch(/^incidents_days_since_last_incident 3$/m);
    expect(response.text).toMatch(/^incidents_file_valid 1$/m);
    expect(response.text).toMatch(/^incidents_reload_errors_total 0$/m);
    expect(response.text).toMatch(/^incidents_file_last_reload_successful 1$/m);
    // Loaded when the suite started: within the last minute, in seconds since the epoch.
    const loadedAt = Number(
      /^incidents_file_last_good_load_timestamp_seconds (\S+)$/m.exec(response.text)?.[1],
    );
    expect(Date.now() / 1000 - loadedAt).toBeGreaterThanOrEqual(0);
    expect(Date.now() / 1000 - loadedAt).toBeLessThan(60);
    expect(response.text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('unknown paths get a 404 without a stack trace', async () => {
    const response = await request(app.getHttpServer()).get('/nope');
    expect(response.status).toBe(404);
    expect(response.text).not.toMatch(/\bat \w+ \(/);
  });
});

describe('day counting', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it.each([
    [0, 'status: 0 days since the last incident\n'],
    [1, 'status: 1 day since the last incident\n'],
    [2, 'status: 2 days since the last incident\n'],
    [400, 'status: 400 days since the last incident\n'],
  ])('%i days ago reads %j', async (days, line) => {
    const file = writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(days)}\n`, `d${days}.yaml`);
    const { app } = await startApp(testConfig(file));
    try {
      const response = await request(app.getHttpServer()).get('/');
      expect(response.text).toBe(`${line}incidents:\n  - date: ${daysAgo(days)}\n`);
    } finally {
      await app.close();
    }
  });

  it('counts calendar days in the configured time zone', async () => {
    // UTC+14 and UTC-11 are 25 hours apart, so their dates always differ (by one or two days): the
    // count follows each zone's own date.
    const file = writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(10)}\n`, 'tz.yaml');
    const east = await startApp(testConfig(file, { timeZone: 'Pacific/Kiritimati' }));
    const west = await startApp(testConfig(file, { timeZone: 'Pacific/Pago_Pago' }));
    try {
      const eastView = (await request(east.app.getHttpServer()).get('/').set('Accept', 'application/json'))
        .body;
      const westView = (await request(west.app.getHttpServer()).get('/').set('Accept', 'application/json'))
        .body;
      const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
      expect(eastView.timeZone).toBe('Pacific/Kiritimati');
      const dateGap = dayNumber(eastView.today) - dayNumber(westView.today);
      expect(dateGap).toBeGreaterThanOrEqual(1);
      expect(eastView.days - westView.days).toBe(dateGap);
      expect(eastView.days).toBe(dayNumber(eastView.today) - dayNumber(daysAgo(10)));
    } finally {
      await east.app.close();
      await west.app.close();
    }
  });
});
