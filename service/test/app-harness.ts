import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, Server } from 'node:http';
import type { Response } from 'superagent';
import { AppModule } from '../src/app.module.js';
import type { AppConfig } from '../src/config/app-config.js';
import { tuneExpress } from '../src/create-app.js';

/** A scratch directory that the test removes in afterEach/afterAll. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'incidents-service-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeIncidents(dir: string, content: string | Buffer, name = 'incidents.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function testConfig(incidentsFile: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    incidentsFile,
    incidentsSource: 'env',
    timeZone: 'UTC',
    logLevel: 'error',
    shutdownTimeoutMs: 5000,
    // Every request looks at the file, so a change shows on the very next request.
    checkIntervalMs: 0,
    maxFileBytes: 1_048_576,
    parseTimeoutMs: 30_000,
    ...overrides,
  };
}

/** The real application module, compiled by Nest's testing module and served on an ephemeral port. */
export async function startApp(config: AppConfig): Promise<{ app: NestExpressApplication; server: Server }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false, bodyParser: false });
  tuneExpress(app);
  await app.init();
  return { app, server: app.getHttpServer() as Server };
}

/**
 * One app for the enclosing `describe`: started before its tests on a scratch incidents file whose
 * newest incident is `days` days ago (counted when the suite starts, not when the file loads, so a
 * run across midnight stays right), and closed after them.
 */
export function appPerSuite(days: number): { app: () => NestExpressApplication; dir: string } {
  const scratch = scratchDir();
  let app: NestExpressApplication | undefined;
  beforeAll(async () => {
    ({ app } = await startApp(
      testConfig(writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(days)}\n`)),
    ));
  });
  afterAll(async () => {
    await app?.close();
    scratch.remove();
  });
  return {
    app: () => {
      if (!app) throw new Error('appPerSuite: the app starts in beforeAll; use it inside a test');
      return app;
    },
    dir: scratch.dir,
  };
}

/** `date` days before today in UTC, as YYYY-MM-DD. */
export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * 86_400_000).toISOString().slice(0, 10);
}

/** A supertest body parser that keeps the raw bytes, so responses can be compared byte for byte. */
export function binary(res: Response, callback: (error: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as IncomingMessage;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

/**
 * Asks again until the answer is the one wanted: a file parsed in a worker thread shows once that
 * parse is done, and until then the previous answer stands.
 */
export async function askUntil<T>(
  ask: () => Promise<T>,
  wanted: (answer: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await ask();
    if (wanted(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
