import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';

/**
 * Writes a complete response in one go. Controllers use this rather than returning values so the
 * bytes leave exactly as rendered (no serializer, no etag hashing of the body on every request).
 */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
