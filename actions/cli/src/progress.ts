import { log } from '@incidents-pipeline/actions-lib/log';

/** Numbered progress lines, one per step, with how long each took. */
export class Progress {
  private current = 0;

  constructor(private readonly total: number) {}

  async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.current++;
    log().info(`[${this.current}/${this.total}] ${title}`);
    const started = Date.now();
    const result = await fn();
    log().info(`      done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return result;
  }

  skip(title: string, why: string): void {
    this.current++;
    log().info(`[${this.current}/${this.total}] ${title}: ${why}`);
  }
}
