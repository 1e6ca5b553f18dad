const DAY_MS = 86_400_000;
const OLDEST = Date.UTC(2000, 0, 1);

/**
 * The worst case for the YAML parser within the size limit: an incidents file of about `bytes`,
 * one short entry per line, all dated in 2000–2019 except the last, dated `newest`. Shared by the
 * reload bench, the service's reload tests and the cluster's config-change scenario, which all need
 * a parse that takes a while.
 */
export function denseIncidents(bytes: number, newest: string): Buffer {
  const lines = ['# dense incidents file: one short entry per line\n', 'incidents:\n'];
  let size = lines.join('').length;
  for (let index = 0; size < bytes; index += 1) {
    const date = new Date(OLDEST + (index % 7000) * DAY_MS).toISOString().slice(0, 10);
    const line = `  - date: ${date}\n`;
    lines.push(line);
    size += line.length;
  }
  lines.push(`  - date: ${newest}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}
