/** What `npm run doctor` says, line by line: the shape every check returns, and how it is printed. */
import { getPublicSuffix } from 'tldts';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  verdict: Verdict;
  /** What was checked, e.g. "COOKIE_DOMAIN". */
  topic: string;
  message: string;
  /** What to change, when the verdict is not ok. */
  fix?: string;
}

/** Collects findings in order; `add` is what each check calls. */
export function findingList() {
  const findings: Finding[] = [];
  const add = (verdict: Verdict, topic: string, message: string, fix?: string) => {
    findings.push({ verdict, topic, message, ...(fix ? { fix } : {}) });
  };
  return { findings, add };
}
export type AddFinding = ReturnType<typeof findingList>['add'];

/**
 * The full Public Suffix List (ICANN and private: `com`, `co.uk`, `workers.dev`,
 * `s3.amazonaws.com`…): a public suffix owns no cookies. Checked here, at deploy
 * time; the Worker only runs a short structural check (isPublicSuffix in src/config/domain-rules.ts).
 */
export function isPublicSuffix(domain: string): boolean {
  return getPublicSuffix(domain, { allowPrivateDomains: true }) === domain;
}

/** The hosts of wrangler.toml's examples (RFC 2606): nobody's deployment, nobody's Google accounts. */
export function isPlaceholderHost(host: string): boolean {
  return /(^|\.)example\.(com|net|org)$/.test(host.toLowerCase());
}

/** A URL, or undefined when the value is missing or is not one. */
export function urlOf(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

/** Comma-separated entries, trimmed, without empty ones. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Renders findings as the lines `npm run doctor` prints. */
export function formatFindings(findings: Finding[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return findings
    .map((f) => `${mark[f.verdict]} ${f.topic}: ${f.message}${f.fix ? `\n    → ${f.fix}` : ''}`)
    .join('\n');
}
