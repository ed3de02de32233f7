/**
 * Every Lambda bundle carries the AWS SDK and Powertools. Two versions of one of their packages in
 * package-lock.json means two copies of it in a bundle, and state (a client's middleware, Powertools'
 * environment reading) that one copy sets and the other never sees.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

const versionsOf = (scope: string) => {
  const versions = new Map<string, Set<string>>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    const name = location.split('node_modules/').at(-1) ?? '';
    if (!name.startsWith(scope) || !entry.version) continue;
    versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
  }
  return [...versions]
    .filter(([, found]) => found.size > 1)
    .map(([name, found]) => `${name}: ${[...found].join(', ')}`);
};

describe('package-lock.json', () => {
  it.each(['@aws-sdk/', '@aws-lambda-powertools/'])('has one version of every %s package', (scope) => {
    expect(versionsOf(scope)).toEqual([]);
  });
});
