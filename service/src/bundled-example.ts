import { fileURLToPath } from 'node:url';

/**
 * The example incidents file served when nothing else is configured. Written as a URL relative to
 * this module so ncc sees it, copies the file next to the bundle and replaces the expression with
 * the copy's path (a plain string); from the sources it stays a URL to service/incidents.example.yaml.
 */
const location: URL | string = new URL('../incidents.example.yaml', import.meta.url);

export const BUNDLED_EXAMPLE = location instanceof URL ? fileURLToPath(location) : location;
