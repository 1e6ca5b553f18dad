import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ZonedCalendar, type CalendarDay } from './calendar.js';
import { IncidentsMetrics } from './incidents.metrics.js';
import { parseInWorker } from './incidents-parse-worker.js';
import { parseIncidents, type ParsedIncidents } from './incidents-parser.js';
import {
  IncidentsFileError,
  IncidentsRepository,
  type FileVersion,
  type IncidentsFileContent,
} from './incidents.repository.js';
import { errorView, renderView, type IncidentsView } from './incidents-view.js';

/**
 * File systems stamp mtime from a coarse clock, so two writes of the same size a few milliseconds
 * apart can leave the same version. A file modified this close to the moment it was read is read
 * again at the next check until it is older than that (git calls such entries "racily clean").
 */
const RACY_WINDOW_MS = 100;

/**
 * Files up to this size are parsed in place: a few milliseconds at most, less than a worker thread
 * takes to start, and the change shows on the very next request. Larger ones go to a worker.
 */
const INLINE_PARSE_MAX_BYTES = 4096;

interface LoadedFile {
  readonly version: FileVersion | undefined;
  readonly racy?: boolean;
  readonly raw: Buffer;
  readonly parsed: ParsedIncidents;
}

/**
 * Keeps the rendered answer for the current file version and day. The request path costs one
 * Date.now() and two comparisons; the file is stat()ed at most once per check interval and read and
 * parsed only when its version changed, and the view is rendered again only when the day changes.
 * While a large file is parsed in a worker, requests keep getting the previous answer.
 */
@Injectable()
export class IncidentsService implements OnModuleInit {
  private readonly logger = new Logger(IncidentsService.name);
  private readonly calendar: ZonedCalendar;
  private file: LoadedFile = {
    version: undefined,
    raw: Buffer.alloc(0),
    parsed: { ok: false, reason: 'not loaded' },
  };
  private day: CalendarDay = { today: 0, validUntil: 0 };
  private view: IncidentsView = errorView('not loaded');
  private nextCheckAt = 0;
  private failure: string | undefined;
  /** The parse running in a worker, if any; one at a time, and no checks meanwhile. */
  private parsing: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: IncidentsRepository,
    private readonly metrics: IncidentsMetrics,
  ) {
    this.calendar = new ZonedCalendar(config.timeZone);
  }

  async onModuleInit(): Promise<void> {
    this.logger.log('serving incidents file', {
      path: this.repository.path,
      source: this.config.incidentsSource,
      timeZone: this.config.timeZone,
    });
    this.current();
    // The first request already gets the file's answer, however long the first parse takes.
    await this.parsing;
    this.metrics.onCollect(() => this.current());
  }

  current(now: number = Date.now()): IncidentsView {
    // The day first, so a file loaded now is judged against today, not against the epoch.
    if (now >= this.day.validUntil) this.changeDay(now);
    if (now >= this.nextCheckAt) this.checkFile(now);
    return this.view;
  }

  private checkFile(now: number): void {
    this.nextCheckAt = now + this.config.checkIntervalMs;
    if (this.parsing !== undefined) return;
    let version: FileVersion;
    try {
      version = this.repository.currentVersion();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (version !== this.file.version || this.file.racy) this.load();
  }

  private load(): void {
    const readAt = Date.now();
    let content: IncidentsFileContent;
    try {
      content = this.repository.read();
    } catch (error) {
      this.fail(error);
      return;
    }
    const racy = content.modifiedMs >= readAt - RACY_WINDOW_MS;
    if (this.file.version !== undefined && content.bytes.equals(this.file.raw)) {
      this.file = { ...this.file, version: content.version, racy };
      return;
    }
    const started = performance.now();
    const text = content.bytes.toString('utf8');
    if (content.bytes.length <= INLINE_PARSE_MAX_BYTES) {
      this.loaded(content, racy, parseIncidents(text), started);
      return;
    }
    this.parsing = parseInWorker(text)
      .then(
        (parsed) => this.loaded(content, racy, parsed, started),
        (error: unknown) => this.fail(error),
      )
      .finally(() => {
        this.parsing = undefined;
      });
  }

  private loaded(
    content: IncidentsFileContent,
    racy: boolean,
    parsed: ParsedIncidents,
    started: number,
  ): void {
    this.file = { version: content.version, racy, raw: content.bytes, parsed };
    this.render();
    if (this.view.ok) {
      this.failure = undefined;
      this.logger.log('incidents file loaded', {
        path: this.repository.path,
        bytes: content.bytes.length,
        incidents: parsed.ok ? parsed.total : 0,
        skipped: parsed.ok ? parsed.skipped : 0,
        parseMs: Math.round(performance.now() - started),
      });
    } else {
      this.failure = this.view.reason;
      this.metrics.reloadFailed();
      this.logger.warn('incidents file rejected', { path: this.repository.path, reason: this.view.reason });
    }
  }

  private fail(error: unknown): void {
    const reason =
      error instanceof IncidentsFileError ? error.message : `cannot load incidents: ${String(error)}`;
    // Count and log a failure once, not once per check interval while it lasts.
    if (reason !== this.failure) {
      this.failure = reason;
      this.metrics.reloadFailed();
      this.logger.warn('incidents file unavailable', { path: this.repository.path, reason });
    }
    this.file = { version: undefined, raw: Buffer.alloc(0), parsed: { ok: false, reason } };
    this.render();
  }

  private changeDay(now: number): void {
    const previous = this.day.today;
    this.day = this.calendar.at(now);
    if (this.day.today !== previous) this.render();
  }

  private render(): void {
    this.view = renderView(this.file.parsed, this.file.raw, this.day.today, this.config.timeZone);
    this.metrics.viewChanged(this.view);
  }
}
