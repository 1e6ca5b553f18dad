import { closeSync, fstatSync, openSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * Identifies one version of the file. stat() follows symlinks, so when Kubernetes swaps a ConfigMap's
 * `..data` link the target's inode changes even if size and mtime happen to match.
 */
export type FileVersion = string;

export interface IncidentsFileContent {
  readonly version: FileVersion;
  readonly bytes: Buffer;
  /** Modification time in epoch milliseconds, to spot writes too close together for the version to tell. */
  readonly modifiedMs: number;
}

function versionOf(stats: BigIntStats): FileVersion {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'is not readable (permission denied)';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
}

export class IncidentsFileError extends Error {
  override readonly name = 'IncidentsFileError';
}

/** The only place that touches the incidents file. */
@Injectable()
export class IncidentsRepository {
  readonly path: string;
  private readonly maxBytes: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.path = config.incidentsFile;
    this.maxBytes = config.maxFileBytes;
  }

  /** The version on disk now, without reading the content. Throws IncidentsFileError. */
  currentVersion(): FileVersion {
    try {
      return versionOf(statSync(this.path, { bigint: true }));
    } catch (error) {
      throw new IncidentsFileError(`incidents file ${this.path} ${describe(error)}`);
    }
  }

  /** Reads the content with the version of exactly what was read (fstat of the same descriptor). */
  read(): IncidentsFileContent {
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      const stats = fstatSync(fd, { bigint: true });
      if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
      if (stats.size > this.maxBytes) {
        throw new IncidentsFileError(
          `incidents file ${this.path} is ${stats.size} bytes, over the limit of ${this.maxBytes} (INCIDENTS_MAX_BYTES)`,
        );
      }
      return { version: versionOf(stats), bytes: readFileSync(fd), modifiedMs: Number(stats.mtimeMs) };
    } catch (error) {
      if (error instanceof IncidentsFileError) throw error;
      throw new IncidentsFileError(`incidents file ${this.path} ${describe(error)}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
