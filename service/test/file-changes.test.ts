import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { IncidentsRepository } from '../src/incidents/incidents.repository.js';
import { daysAgo, scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function running(file: string, checkIntervalMs = 0) {
  const { app } = await startApp(testConfig(file, { checkIntervalMs }));
  cleanups.push(() => app.close());
  return { app, get: (path = '/') => request(app.getHttpServer()).get(path) };
}

function workspace(): string {
  const { dir, remove } = scratchDir();
  cleanups.push(remove);
  return dir;
}

const statusOf = (text: string) => text.split('\n', 1)[0];

describe('incidents file changes', () => {
  it('shows a rewrite of the file on the next request', async () => {
    const dir = workspace();
    const file = writeIncidents(dir, `incidents:\n  - date: ${daysAgo(12)}\n`);
    const { get } = await running(file);
    expect(statusOf((await get()).text)).toBe('status: 12 days since the last incident');

    writeIncidents(
      dir,
      `# new incident added\nincidents:\n  - date: ${daysAgo(1)}\n  - date: ${daysAgo(12)}\n`,
    );
    const response = await get();
    expect(response.text).toBe(
      `status: 1 day since the last incident\n# new incident added\nincidents:\n  - date: ${daysAgo(1)}\n  - date: ${daysAgo(12)}\n`,
    );
  });

  it('sees a same-size rewrite made right after the previous one', async () => {
    const dir = workspace();
    const file = writeIncidents(dir, `incidents:\n  - date: ${daysAgo(13)}\n`);
    const { get } = await running(file);
    expect(statusOf((await get()).text)).toBe('status: 13 days since the last incident');
    // Same length, same inode, and likely the same coarse mtime tick as the first write.
    writeIncidents(dir, `incidents:\n  - date: ${daysAgo(14)}\n`);
    expect(statusOf((await get()).text)).toBe('status: 14 days since the last incident');
  });

  it('follows a Kubernetes ConfigMap update: an atomic swap of the ..data symlink', async () => {
    // The kubelet's layout: incidents.yaml -> ..data/incidents.yaml, ..data -> ..<timestamp>/.
    const mount = workspace();
    const first = join(mount, '..2026_01_01_00_00_00.000000001');
    mkdirSync(first);
    writeFileSync(join(first, 'incidents.yaml'), `incidents:\n  - date: ${daysAgo(30)}\n`);
    symlinkSync('..2026_01_01_00_00_00.000000001', join(mount, '..data'));
    symlinkSync('..data/incidents.yaml', join(mount, 'incidents.yaml'));

    const { get } = await running(join(mount, 'incidents.yaml'));
    expect(statusOf((await get()).text)).toBe('status: 30 days since the last incident');

    // The update: a new timestamped directory, a temporary link to it renamed over ..data, the
    // old directory removed. The file path the service holds never changes.
    const second = join(mount, '..2026_01_02_00_00_00.000000002');
    mkdirSync(second);
    writeFileSync(join(second, 'incidents.yaml'), `incidents:\n  - date: ${daysAgo(4)}\n`);
    symlinkSync('..2026_01_02_00_00_00.000000002', join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    rmSync(first, { recursive: true });

    const response = await get();
    expect(response.text).toBe(
      `status: 4 days since the last incident\nincidents:\n  - date: ${daysAgo(4)}\n`,
    );
    expect((await get('/readyz')).status).toBe(200);
  });

  it('reads the file once per version, not once per request', async () => {
    const dir = workspace();
    const file = writeIncidents(dir, `incidents:\n  - date: ${daysAgo(3)}\n`);
    // Old enough that the file is not re-read as racily clean.
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const { app, get } = await running(file);
    const read = jest.spyOn(app.get(IncidentsRepository), 'read');
    for (let index = 0; index < 20; index += 1) expect((await get()).status).toBe(200);
    expect(read).not.toHaveBeenCalled();

    writeIncidents(dir, `incidents:\n  - date: ${daysAgo(2)}\n  - date: ${daysAgo(3)}\n`);
    utimesSync(file, old, new Date(Date.now() - 30_000));
    for (let index = 0; index < 20; index += 1)
      expect(statusOf((await get()).text)).toBe('status: 2 days since the last incident');
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('with a check interval, stats the file at most once per interval', async () => {
    const dir = workspace();
    const file = writeIncidents(dir, `incidents:\n  - date: ${daysAgo(3)}\n`);
    const { app, get } = await running(file, 60_000);
    const stat = jest.spyOn(app.get(IncidentsRepository), 'currentVersion');
    for (let index = 0; index < 20; index += 1) expect((await get()).status).toBe(200);
    expect(stat).not.toHaveBeenCalled();
  });
});
