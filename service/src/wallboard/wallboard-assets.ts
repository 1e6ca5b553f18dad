import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * The wallboard's files, each written as a URL relative to this module so ncc sees it, copies the
 * file next to the bundle and replaces the expression with the copy's path (see bundled-example.ts);
 * from the sources each stays a URL into service/src/wallboard/page/.
 */
const FILES: ReadonlyArray<{ path: string; contentType: string; location: URL | string }> = [
  {
    path: '/',
    contentType: 'text/html; charset=utf-8',
    location: new URL('./page/wallboard.html', import.meta.url),
  },
  {
    path: '/wallboard.css',
    contentType: 'text/css; charset=utf-8',
    location: new URL('./page/wallboard.css', import.meta.url),
  },
  {
    path: '/wallboard.js',
    contentType: 'text/javascript; charset=utf-8',
    location: new URL('./page/wallboard.js', import.meta.url),
  },
];

/**
 * Everything comes from this origin and nothing runs inline, so the policy needs no
 * 'unsafe-inline' and the page cannot be framed, re-based or made to post anywhere.
 */
export const WALLBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WallboardAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** Read once at start: the files are a few kilobytes and never change while the service runs. */
export function loadWallboardAssets(): ReadonlyMap<string, WallboardAsset> {
  return new Map(
    FILES.map(({ path, contentType, location }) => [
      path,
      {
        contentType,
        body: readFileSync(location instanceof URL ? fileURLToPath(location) : location),
      },
    ]),
  );
}

/**
 * Sends one of the files. `/` is the page, which shares its URL with the text and JSON answers, so
 * it varies on Accept like them. no-cache: a screen left on for months revalidates after an upgrade.
 */
export function sendWallboardAsset(res: ServerResponse, path: string, asset: WallboardAsset): void {
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': asset.body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': WALLBOARD_CSP,
    ...(path === '/' ? { vary: 'Accept' } : {}),
  });
  res.end(asset.body);
}
