import type { ClassifiedCommit } from './commits.js';

const SECTIONS: readonly { title: string; matches: (c: ClassifiedCommit) => boolean }[] = [
  { title: 'Breaking changes', matches: (c) => c.breaking },
  { title: 'Features', matches: (c) => c.type === 'feat' },
  { title: 'Bug fixes', matches: (c) => c.type === 'fix' },
  { title: 'Performance', matches: (c) => c.type === 'perf' },
  { title: 'Other changes', matches: () => true },
];

/**
 * A markdown list of the commits grouped by type, newest first within a group. Each commit appears
 * once, in the first group it matches (a breaking feature is listed under breaking changes).
 */
export function renderChangelog(commits: readonly ClassifiedCommit[]): string {
  const remaining = [...commits];
  const parts: string[] = [];
  for (const section of SECTIONS) {
    const inSection = remaining.filter(section.matches);
    if (inSection.length === 0) continue;
    for (const c of inSection) remaining.splice(remaining.indexOf(c), 1);
    parts.push(`### ${section.title}\n\n${inSection.map(line).join('\n')}`);
  }
  return parts.join('\n\n');
}

function line(commit: ClassifiedCommit): string {
  const text = commit.type ? commit.description : commit.subject;
  const scope = commit.scope ? `**${commit.scope}:** ` : '';
  return `- ${scope}${text} (${commit.hash.slice(0, 7)})`;
}
