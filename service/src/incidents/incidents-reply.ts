import type { ServerResponse } from 'node:http';
import { APPLICATION_JSON, send, TEXT_PLAIN } from '../text-response.js';
import type { IncidentsView } from './incidents-view.js';

/** The answer depends on Accept, so caches must key on it. */
const VARY_ACCEPT = 'Accept';

/** `/` as both lanes answer it: the view as text or JSON, 200 or 500, always with `Vary: Accept`. */
export function sendView(res: ServerResponse, view: IncidentsView, json: boolean): void {
  const status = view.ok ? 200 : 500;
  if (json) send(res, status, APPLICATION_JSON, view.json, VARY_ACCEPT);
  else send(res, status, TEXT_PLAIN, view.text, VARY_ACCEPT);
}
