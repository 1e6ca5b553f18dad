import { Injectable } from '@nestjs/common';

/** Set once a stop signal arrived; readiness reads it so traffic moves away while requests drain. */
@Injectable()
export class ShutdownState {
  private signal: string | undefined;

  get draining(): boolean {
    return this.signal !== undefined;
  }

  get reason(): string | undefined {
    return this.signal === undefined ? undefined : `shutting down (${this.signal})`;
  }

  begin(signal: string): void {
    this.signal ??= signal;
  }
}
