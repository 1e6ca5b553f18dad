// The contrast check and a few probes run inside the page, in the browser.
/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '@incidents-pipeline/test-support/repository';
import { WALLBOARD_CSP } from '../src/wallboard/wallboard-assets.js';
import { scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

/**
 * The wallboard in a real browser: Debian's chromium driven by playwright-core, against the real
 * service on loopback. The service counts in Vienna and the browser lives in New York, so a page
 * that counted in the browser's zone would show other dates and turn over at another midnight.
 */
const SERVICE_ZONE = 'Europe/Vienna';
const BROWSER_ZONE = 'America/New_York';
const SCREENSHOTS = join(REPO_ROOT, '.cache', 'screenshots');

function chromiumPath(): string {
  try {
    return execFileSync('/bin/sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "no chromium on PATH: the wallboard's browser tests drive Debian's chromium; " +
        'install it with `apt-get install chromium` (.ci/run does)',
    );
  }
}

/** `YYYY-MM-DD` in a time zone, `offsetDays` from the instant. */
function dayIn(timeZone: string, instant = new Date(), offsetDays = 0): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone }).format(instant);
  return new Date(Date.parse(`${day}T00:00:00Z`) + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function incidentsYaml(date: string, title: string): string {
  return `incidents:\n  - date: ${date}\n    title: ${title}\n`;
}

/** Polls an element's text from the test's side (the page's own timers may be under a fake clock). */
async function textOf(page: Page, selector: string, wanted: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = ((await page.locator(selector).textContent()) ?? '').trim();
    if (wanted(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** WCAG contrast of every visible text element against the background it is drawn on. */
async function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element | null): number[] => {
      for (let at = element; at; at = at.parentElement) {
        const [r, g, b, a = 1] = rgb(getComputedStyle(at).backgroundColor);
        if (a > 0) return [r, g, b];
      }
      return [255, 255, 255];
    };
    const failures: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const own = Array.from(element.childNodes).some(
        (node) => node.nodeType === 3 && node.textContent!.trim(),
      );
      if (!own || (element as HTMLElement).offsetParent === null) continue;
      const fg = luminance(rgb(getComputedStyle(element).color));
      const bg = luminance(background(element));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) failures.push(`${element.id || element.className}: ${ratio.toFixed(2)}`);
    }
    return failures;
  });
}

describe('the wallboard in chromium', () => {
  const scratch = scratchDir();
  let file: string;
  let app: NestExpressApplication;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let requested: string[];
  let cspViolations: string[];
  /** The origin the page under test is served from: `base`, unless a test starts a service of its own. */
  let origin: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    file = writeIncidents(scratch.dir, incidentsYaml(dayIn(SERVICE_ZONE, new Date(), -1), 'x'));
    ({ app } = await startApp(testConfig(file, { timeZone: SERVICE_ZONE })));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // Chromium's sandbox refuses to start as root, which is how .ci/run runs.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    scratch.remove();
  });

  beforeEach(async () => {
    context = await browser.newContext({
      timezoneId: BROWSER_ZONE,
      locale: 'en-US',
      viewport: { width: 1920, height: 1080 },
    });
    requested = [];
    cspViolations = [];
    origin = base;
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
  });
  afterEach(async () => {
    await context.close();
    // Nothing beyond the service's own origin, in every state.
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  /** Screenshots in both schemes under .cache/screenshots/, each checked for AA contrast first. */
  async function record(state: string): Promise<void> {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect([colorScheme, await contrastFailures(page)]).toEqual([colorScheme, []]);
      await page.screenshot({ path: join(SCREENSHOTS, `wallboard-${state}-${colorScheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: null });
  }

  it('shows the number, the last incident and today in the service time zone, with the strict CSP', async () => {
    const today = dayIn(SERVICE_ZONE);
    writeIncidents(
      scratch.dir,
      incidentsYaml(dayIn(SERVICE_ZONE, new Date(), -1), 'Disk full on the build host'),
    );
    const response = await page.goto(base);
    expect(response?.headers()['content-security-policy']).toBe(WALLBOARD_CSP);
    expect(await textOf(page, '#days', (text) => text === '1')).toBe('1');
    expect(await page.locator('#unit').textContent()).toBe('day');
    expect(await page.locator('#last-message').textContent()).toBe('Disk full on the build host');
    expect(await page.locator('#last-date').textContent()).toBe(dayIn(SERVICE_ZONE, new Date(), -1));
    expect(await page.locator('#today').textContent()).toBe(today);
    expect(await page.locator('#zone').textContent()).toBe(`(${SERVICE_ZONE})`);
    // Read across a room: the number is a good part of a 1080-pixel-high screen.
    expect((await page.locator('#days').boundingBox())!.height).toBeGreaterThan(250);
    await record('normal');

    // On a phone: everything fits the width, and the number is still large.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect((await page.locator('#days').boundingBox())!.height).toBeGreaterThan(80);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallboard-phone.png') });
  });

  it('picks up a changed file at its interval, without reloading', async () => {
    writeIncidents(scratch.dir, incidentsYaml(dayIn(SERVICE_ZONE, new Date(), -5), 'Old one'));
    await page.goto(`${base}/?refresh=1`);
    expect(await textOf(page, '#days', (text) => text === '5')).toBe('5');
    // A full reload would lose this.
    await page.evaluate(() => document.body.setAttribute('data-marker', 'still here'));
    writeIncidents(scratch.dir, incidentsYaml(dayIn(SERVICE_ZONE), 'Queue backed up'));
    expect(await textOf(page, '#days', (text) => text === '0')).toBe('0');
    expect(await page.locator('#unit').textContent()).toBe('days');
    expect(await page.locator('#last-message').textContent()).toBe('Queue backed up');
    expect(await page.locator('body').getAttribute('data-marker')).toBe('still here');
    const asked = requested.filter((url) => url === `${base}/`).length;
    expect(asked).toBeGreaterThanOrEqual(2);
    await record('updated');
  });

  it("turns over at midnight in the service's time zone, without reloading", async () => {
    // 23:59:50 on 9 March in Vienna (UTC+1), a quarter to six in the evening in New York.
    await context.clock.install({ time: new Date('2026-03-09T22:59:50Z') });
    writeIncidents(scratch.dir, incidentsYaml('2026-03-06', 'Certificate expired'));
    await page.goto(base);
    expect(await textOf(page, '#days', (text) => text === '3')).toBe('3');
    expect(await page.locator('#today').textContent()).toBe('2026-03-09');
    await page.evaluate(() => document.body.setAttribute('data-marker', 'still here'));
    await context.clock.runFor(15_000);
    expect(await textOf(page, '#days', (text) => text === '4')).toBe('4');
    expect(await page.locator('#today').textContent()).toBe('2026-03-10');
    expect(await page.locator('body').getAttribute('data-marker')).toBe('still here');
    await record('after-midnight');
  });

  it('keeps the last view and says since when it is offline', async () => {
    writeIncidents(scratch.dir, incidentsYaml(dayIn(SERVICE_ZONE, new Date(), -2), 'Kept on screen'));
    await page.goto(`${base}/?refresh=1`);
    expect(await textOf(page, '#days', (text) => text === '2')).toBe('2');
    expect(await page.locator('#offline').isHidden()).toBe(true);
    // The service unreachable: every further request to it fails at the network level.
    await page.route(`${base}/`, (route) => route.abort('connectionrefused'));
    const offline = await textOf(page, '#offline', (text) => text.startsWith('Offline since'));
    expect(offline).toMatch(/^Offline since \d{2}:\d{2}:\d{2} (AM|PM); showing the last answer received$/);
    expect(await page.locator('#days').textContent()).toBe('2');
    expect(await page.locator('#last-message').textContent()).toBe('Kept on screen');
    await record('offline');
    // Back again: the note goes.
    await page.unroute(`${base}/`);
    expect(await textOf(page, '#offline', (text) => text === '')).toBe('');
    expect(await page.locator('#offline').isHidden()).toBe(true);
  });

  it('shows the error when the file is bad at start', async () => {
    // A service of its own whose file is bad from the start: one that turns bad later keeps its
    // last good answer (the next test).
    const badScratch = scratchDir();
    const { app: badApp } = await startApp(
      testConfig(writeIncidents(badScratch.dir, 'incidents: []\n'), { timeZone: SERVICE_ZONE }),
    );
    try {
      await badApp.listen(0, '127.0.0.1');
      origin = `http://127.0.0.1:${(badApp.getHttpServer().address() as AddressInfo).port}`;
      await page.goto(origin);
      const error = await textOf(page, '#error', (text) => text !== '');
      expect(error).toBe('The incidents file cannot be served: the "incidents" list is empty');
      expect(await page.locator('#days').isHidden()).toBe(true);
      await record('error');
    } finally {
      await page.close();
      await badApp.close();
      badScratch.remove();
    }
  });

  it('says so when the service serves the last good list after rejecting a file', async () => {
    writeIncidents(scratch.dir, incidentsYaml(dayIn(SERVICE_ZONE, new Date(), -7), 'Last good'));
    // The service's JSON as it answers, plus the field it adds when it rejected a newer file.
    await page.route(`${base}/`, async (route) => {
      if (route.request().headers().accept !== 'application/json') return route.continue();
      const response = await route.fetch();
      const json = {
        ...(await response.json()),
        rejected: { reason: 'malformed YAML at line 3, column 1', since: '2026-03-09T08:15:00Z' },
      };
      await route.fulfill({ response, json });
    });
    await page.goto(base);
    const note = await textOf(page, '#rejected', (text) => text !== '');
    expect(note).toBe(
      'Serving the last good list; the new file was rejected: malformed YAML at line 3, column 1, since Mar 9, 2026, 4:15:00 AM',
    );
    expect(await page.locator('#days').textContent()).toBe('7');
    await record('rejected');
  });
});
