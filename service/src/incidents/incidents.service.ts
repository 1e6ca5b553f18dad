import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ZonedCalendar, type CalendarDay } from './calendar.js';
import { IncidentsMetrics } from './incidents.metrics.js';
import { parseInWorker } from './incidents-parse-worker.js';
import { parseIncidents, type DatedIncidents, type ParsedIncidents } from './incidents-parser.js';
import {
  IncidentsFileError,
  IncidentsRepository,
  type FileVersion,
  type IncidentsFileContent,
} from './incidents.repository.js';
import { errorView, renderView, type IncidentsView, type Rejection } from './incidents-view.js';

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

/** The file as last seen on disk: its content and what parsing made of it, good or not. */
interface LoadedFile {
  /** Undefined when the file could not be read: every check tries again. */
  readonly version: FileVersion | undefined;
  readonly racy?: boolean;
  readonly raw: Buffer;
  readonly parsed: ParsedIncidents;
  readonly parseMs?: number;
}

/** The last file that rendered a day count, and when it was loaded (epoch milliseconds). */
interface GoodFile {
  readonly raw: Buffer;
  /** The very object the load produced, so a new day does not take the same file for a new load. */
  readonly parsed: DatedIncidents;
  readonly loadedAt: number;
}

const NOT_LOADED: LoadedFile = {
  version: undefined,
  raw: Buffer.alloc(0),
  parsed: { ok: false, reason: 'not loaded' },
};

/**
 * Keeps the rendered answer for the current file version and day. The request path costs one
 * Date.now() and two comparisons; the file is stat()ed at most once per check interval and read and
 * parsed only when its version changed, and the view is rendered again only when the file's state
 * or the day changes. While a large file is parsed in a worker, requests keep getting the previous
 * answer.
 *
 * A file that turns bad while the service runs (unreadable, too large, malformed, nothing to count,
 * a parse over its time or memory limit) is rejected, as Prometheus or nginx reject a bad reload:
 * the last good file keeps being answered, its day count still moving with the date, and only the
 * JSON answer, the metrics and the log say that the file on disk was rejected. Without a good file
 * yet, at start, the rejection is the answer: 500 on `/`, 503 on `/readyz`.
 */
@Injectable()
export class IncidentsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(IncidentsService.name);
  private readonly calendar: ZonedCalendar;
  private file: LoadedFile = NOT_LOADED;
  private good: GoodFile | undefined;
  private rejection: Rejection | undefined;
  private day: CalendarDay = { today: 0, validUntil: 0 };
  private view: IncidentsView = errorView('not loaded');
  private nextCheckAt = 0;
  /** The parse running in a worker, if any; one at a time, and no checks meanwhile. */
  private parsing: Promise<void> | undefined;
  /** Ends a running parse when the application shuts down. */
  private readonly stopping = new AbortController();

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

  /**
   * Before Nest closes the application: a parse still running is ended and its worker has exited
   * when this returns, so neither a shutdown nor a test's app.close() waits for a parse to finish.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.parsing;
  }

  current(now: number = Date.now()): IncidentsView {
    // The day first, so a file loaded now is judged against today, not against the epoch.
    if (now >= this.day.validUntil) this.changeDay(now);
    if (now >= this.nextCheckAt) this.checkFile(now);
    return this.view;
  }

  private checkFile(now: number): void {
    this.nextCheckAt = now + this.config.checkIntervalMs;
    if (this.parsing !== undefined || this.stopping.signal.aborted) return;
    let version: FileVersion;
    try {
      version = this.repository.currentVersion();
    } catch (error) {
      this.unreadable(error, now);
      return;
    }
    if (version !== this.file.version || this.file.racy) this.load(now);
  }

  private load(now: number): void {
    // The file system's clock, not `now`: it is compared with the file's mtime.
    const readAt = Date.now();
    let content: IncidentsFileContent;
    try {
      content = this.repository.read();
    } catch (error) {
      this.unreadable(error, now);
      return;
    }
    const racy = content.modifiedMs >= readAt - RACY_WINDOW_MS;
    if (this.file.version !== undefined && content.bytes.equals(this.file.raw)) {
      this.file = { ...this.file, version: content.version, racy };
      return;
    }
    const started = performance.now();
    const loaded = (parsed: ParsedIncidents, at: number): void =>
      this.update(at, {
        version: content.version,
        racy,
        raw: content.bytes,
        parsed,
        parseMs: Math.round(performance.now() - started),
      });
    if (content.bytes.length <= INLINE_PARSE_MAX_BYTES) {
      loaded(parseIncidents(content.bytes.toString('utf8')), now);
      return;
    }
    // A refusal by the worker (time, memory, a crash) keeps this version: the same bytes are not
    // parsed again, only a changed file is.
    this.parsing = parseInWorker(content.bytes, {
      timeoutMs: this.config.parseTimeoutMs,
      signal: this.stopping.signal,
    })
      .then((parsed) => {
        if (!this.stopping.signal.aborted) loaded(parsed, Date.now());
      })
      .finally(() => {
        this.parsing = undefined;
      });
  }

  private unreadable(error: unknown, now: number): void {
    const reason =
      error instanceof IncidentsFileError ? error.message : `cannot load incidents: ${String(error)}`;
    this.update(now, { version: undefined, raw: Buffer.alloc(0), parsed: { ok: false, reason } });
  }

  private update(now: number, file: LoadedFile): void {
    this.file = file;
    this.render(now);
  }

  private changeDay(now: number): void {
    const previous = this.day.today;
    this.day = this.calendar.at(now);
    // A new day can also accept a rejected file whose incidents were all in the future until now.
    if (this.day.today !== previous) this.render(now);
  }

  /** The answer for the file on disk today, or else the last good file's, and what the metrics say. */
  private render(now: number): void {
    // Before the first load there is nothing to judge, and nothing to count as rejected.
    if (this.file === NOT_LOADED) return;
    const { today } = this.day;
    const { timeZone } = this.config;
    const view = renderView(this.file.parsed, this.file.raw, today, timeZone);
    if (view.ok) {
      this.accept(now);
      this.view = view;
    } else {
      this.reject(view.reason ?? 'rejected', now);
      this.view = this.good
        ? renderView(this.good.parsed, this.good.raw, today, timeZone, this.rejection)
        : view;
    }
    this.metrics.viewChanged(this.view);
  }

  private accept(now: number): void {
    const { file } = this;
    if (!file.parsed.ok || this.good?.parsed === file.parsed) return;
    this.good = { raw: file.raw, parsed: file.parsed, loadedAt: now };
    this.rejection = undefined;
    this.metrics.reloadSucceeded(now);
    this.logger.log('incidents file loaded', {
      path: this.repository.path,
      bytes: file.raw.length,
      incidents: file.parsed.total,
      skipped: file.parsed.skipped,
      parseMs: file.parseMs,
    });
  }

  /** Counted and logged once per distinct reason, not once per check while it lasts. */
  private reject(reason: string, now: number): void {
    if (this.rejection?.reason === reason) return;
    this.rejection = { reason, since: this.rejection?.since ?? now };
    this.metrics.reloadFailed();
    this.logger.warn('incidents file rejected', {
      path: this.repository.path,
      reason,
      ...(this.file.raw.length > 0 && { bytes: this.file.raw.length }),
      // What is answered instead: the last good file, or, before there was one, the error itself.
      answering: this.good
        ? `the last good file, loaded at ${new Date(this.good.loadedAt).toISOString()}`
        : 'the error (no good file loaded yet)',
    });
  }
}
