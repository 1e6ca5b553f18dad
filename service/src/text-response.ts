import type { ServerResponse } from 'node:http';

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';

/**
 * Writes a complete response in one go. Controllers use this rather than returning values so the
 * bytes leave exactly as rendered (no serializer, no etag hashing of the body on every request).
 * `vary` names the request headers the answer depends on. The header objects are written out as
 * literals: spreading an object of extra headers into them made a `GET /` cost half again as much CPU.
 */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  vary?: string,
): void {
  const length = Buffer.byteLength(body);
  res.writeHead(
    status,
    vary === undefined
      ? { 'content-type': contentType, 'content-length': length }
      : { 'content-type': contentType, 'content-length': length, vary },
  );
  res.end(body);
}
