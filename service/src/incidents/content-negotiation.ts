import Negotiator from 'negotiator';

/** What `/` answers in: the text line, the JSON view, or the wallboard page. */
export type Representation = 'text' | 'json' | 'html';

/**
 * In order of preference on a tie: probes, curl's `*\/*` and dashboards that accept anything get
 * the text; the page goes only to clients that rank text/html above text/plain, as browsers do.
 */
const OFFERED = ['text/plain', 'application/json', 'text/html'] as const;
const REPRESENTATION: Record<(typeof OFFERED)[number], Representation> = {
  'text/plain': 'text',
  'application/json': 'json',
  'text/html': 'html',
};

/**
 * Which representation an `Accept` header prefers, as HTTP reads it: q-values, wildcards and any
 * letter case, through the negotiator Express itself uses. No header, or one that accepts none of
 * them, gets the text.
 */
export function negotiate(accept: string | undefined): Representation {
  // Negotiator answers the first offer for a missing header and for curl's `*/*` (every offer ties
  // and the first wins); this skips building it on the hot path.
  if (accept === undefined || accept === '*/*') return 'text';
  const type = new Negotiator({ headers: { accept } }).mediaType(OFFERED) as
    (typeof OFFERED)[number] | undefined;
  return type === undefined ? 'text' : REPRESENTATION[type];
}
