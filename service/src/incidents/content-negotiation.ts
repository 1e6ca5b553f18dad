import Negotiator from 'negotiator';

/** In order of preference on a tie: probes and dashboards that accept anything get the text. */
const OFFERED = ['text/plain', 'application/json'] as const;

/**
 * Whether an `Accept` header prefers JSON over text, as HTTP reads it: q-values, wildcards and any
 * letter case, through the negotiator Express itself uses. No header, or one that accepts neither,
 * gets the text.
 */
export function prefersJson(accept: string | undefined): boolean {
  // Negotiator answers the first offer for a missing header; this skips building it on the hot path.
  if (accept === undefined) return false;
  return new Negotiator({ headers: { accept } }).mediaType(OFFERED) === 'application/json';
}
