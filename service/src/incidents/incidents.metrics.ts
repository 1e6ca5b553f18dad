import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import type { IncidentsView } from './incidents-view.js';

@Injectable()
export class IncidentsMetrics {
  private readonly daysSince: Gauge;
  private readonly fileValid: Gauge;
  private readonly reloadErrors: Counter;
  private readonly lastReloadSuccessful: Gauge;
  private readonly lastGoodLoad: Gauge;
  private beforeCollect: () => void = () => {};

  constructor(registry: MetricsRegistry) {
    // Every gauge is read from the view, so a scrape first brings the view up to date.
    const gauge = (name: string, help: string): Gauge =>
      new Gauge({ name, help, registers: [registry.registry], collect: () => this.beforeCollect() });
    this.daysSince = gauge(
      'incidents_days_since_last_incident',
      'Calendar days since the newest incident in the configured time zone (absent while the file is invalid)',
    );
    this.fileValid = gauge(
      'incidents_file_valid',
      '1 while / answers a day count (from the current file, or the last good one after a rejected reload), else 0',
    );
    this.reloadErrors = new Counter({
      name: 'incidents_reload_errors_total',
      help: 'Times the incidents file could not be read or was rejected (once per distinct reason)',
      registers: [registry.registry],
    });
    // Named after Prometheus's own prometheus_config_last_reload_successful, so alerts read alike.
    this.lastReloadSuccessful = gauge(
      'incidents_file_last_reload_successful',
      '1 when the incidents file on disk is the one answered, 0 while it is rejected',
    );
    this.lastGoodLoad = gauge(
      'incidents_file_last_good_load_timestamp_seconds',
      'When the answered incidents file was loaded, in seconds since the epoch (0 before any good load)',
    );
  }

  /** Lets the scrape bring the view up to date (a new day, a changed file) before reading it. */
  onCollect(refresh: () => void): void {
    this.beforeCollect = refresh;
  }

  viewChanged(view: IncidentsView): void {
    this.fileValid.set(view.ok ? 1 : 0);
    if (view.days === undefined) this.daysSince.reset();
    else this.daysSince.set(view.days);
  }

  reloadFailed(): void {
    this.reloadErrors.inc();
    this.lastReloadSuccessful.set(0);
  }

  /** A file was accepted: the current file is answered, loaded at `at` (epoch milliseconds). */
  reloadSucceeded(at: number): void {
    this.lastReloadSuccessful.set(1);
    this.lastGoodLoad.set(at / 1000);
  }
}
