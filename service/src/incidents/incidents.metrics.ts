import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import type { IncidentsView } from './incidents-view.js';

@Injectable()
export class IncidentsMetrics {
  private readonly daysSince: Gauge;
  private readonly fileValid: Gauge;
  private readonly reloadErrors: Counter;
  private beforeCollect: () => void = () => {};

  constructor(registry: MetricsRegistry) {
    const refresh = (): void => this.beforeCollect();
    this.daysSince = new Gauge({
      name: 'incidents_days_since_last_incident',
      help: 'Calendar days since the newest incident in the configured time zone (absent while the file is invalid)',
      registers: [registry.registry],
      collect: refresh,
    });
    this.fileValid = new Gauge({
      name: 'incidents_file_valid',
      help: '1 when the incidents file has at least one countable incident, else 0',
      registers: [registry.registry],
      collect: refresh,
    });
    this.reloadErrors = new Counter({
      name: 'incidents_reload_errors_total',
      help: 'Times the incidents file could not be read or was rejected',
      registers: [registry.registry],
    });
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
  }
}
