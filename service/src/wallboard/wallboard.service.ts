import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { loadWallboardAssets, sendWallboardAsset, type WallboardAsset } from './wallboard-assets.js';

/** The wallboard's page and its two files, loaded when the service starts. */
@Injectable()
export class WallboardService {
  private readonly assets: ReadonlyMap<string, WallboardAsset> = loadWallboardAssets();

  /** The page itself, for a `GET /` that prefers text/html. */
  sendPage(res: ServerResponse): void {
    this.send(res, '/');
  }

  send(res: ServerResponse, path: string): void {
    const asset = this.assets.get(path);
    if (asset === undefined) throw new Error(`no wallboard file at ${path}`);
    sendWallboardAsset(res, path, asset);
  }
}
