import { CommitParser } from 'conventional-commits-parser';
import type { CommitRecord } from '@incidents-pipeline/actions-lib/git';

export type BumpLevel = 'major' | 'minor' | 'patch';

/** A commit read as a conventional commit; `type` is undefined for a message that is not one. */
export interface ClassifiedCommit {
  hash: string;
  subject: string;
  type: string | undefined;
  scope: string | undefined;
  description: string;
  breaking: boolean;
  /** What this commit alone asks for; undefined when it is not releasable (docs, chore, …). */
  level: BumpLevel | undefined;
}

// The Conventional Commits 1.0 header, `type(scope)!: description`; the parser's defaults do not know
// the `!` marker, so both patterns are given (as the conventionalcommits changelog preset does).
const parser = new CommitParser({
  headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
  breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
  headerCorrespondence: ['type', 'scope', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
});

const PATCH_TYPES = new Set(['fix', 'perf']);

export function classifyCommit(commit: CommitRecord): ClassifiedCommit {
  const parsed = parser.parse(commit.message);
  const type = parsed.type ? parsed.type.toLowerCase() : undefined;
  const breaking = parsed.notes.some((note) => /^BREAKING[ -]CHANGE$/.test(note.title));
  const level: BumpLevel | undefined = breaking
    ? 'major'
    : type === 'feat'
      ? 'minor'
      : type !== undefined && PATCH_TYPES.has(type)
        ? 'patch'
        : undefined;
  return {
    hash: commit.hash,
    subject: commit.subject,
    type,
    scope: parsed.scope || undefined,
    description: parsed.subject || commit.subject,
    breaking,
    level,
  };
}

const RANK: Record<BumpLevel, number> = { patch: 1, minor: 2, major: 3 };

/** The highest level any commit asks for, or undefined when none is releasable. */
export function highestLevel(commits: readonly ClassifiedCommit[]): BumpLevel | undefined {
  let highest: BumpLevel | undefined;
  for (const { level } of commits) if (level && (!highest || RANK[level] > RANK[highest])) highest = level;
  return highest;
}
