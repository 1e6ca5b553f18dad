import { fileURLToPath } from 'node:url';

/** The repository's root folder, for every test and script that needs it: one place, not one per file. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
