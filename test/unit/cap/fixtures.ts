import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseCapAlert } from '../../../shared/cap/parse';
import type { CapAlert } from '../../../shared/cap/schema';

const FIXTURE_DIRECTORY = new URL('../../fixtures/cap/', import.meta.url);

export function capFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURE_DIRECTORY), 'utf8');
}

/** Parse a fixture that must be valid CAP 1.2. */
export function parsedFixture(name: string): CapAlert {
  return parsedXml(capFixture(name));
}

export function parsedXml(xml: string): CapAlert {
  const result = parseCapAlert(xml);
  if (!result.ok) expect.fail(`expected valid CAP, got ${result.status}: ${JSON.stringify(result.problems)}`);
  return result.alert;
}
