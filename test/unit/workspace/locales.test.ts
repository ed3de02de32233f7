import { describe, expect, it } from 'vitest';
import de from '../../../web/src/locales/de.json';
import en from '../../../web/src/locales/en.json';
import consoleDe from '../../../web/src/locales/console.de.json';
import consoleEn from '../../../web/src/locales/console.en.json';

/** The first load's catalogs, and those of screens that bring their own (lib/i18n.ts loadCatalog). */
const CATALOGS: [string, unknown, unknown][] = [
  ['main', de, en],
  ['console', consoleDe, consoleEn],
];

const keys = (value: unknown, prefix = ''): string[] =>
  value && typeof value === 'object'
    ? Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key))
    : [prefix];

describe('the workspace in German and English', () => {
  it('has every German string in English too, and no English string without a German one', () => {
    for (const [, german, english] of CATALOGS) expect(keys(english).sort()).toEqual(keys(german).sort());
  });

  it("never has a screen's catalog redefine a key of the first load", () => {
    const first = new Set(keys(de));
    expect(keys(consoleDe).filter((key) => first.has(key))).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (catalog: unknown, key: string) =>
      [
        ...String(
          key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog),
        ).matchAll(/\{\{(\w+)\}\}/g),
      ]
        .map((match) => match[1])
        .sort();
    for (const [, german, english] of CATALOGS)
      for (const key of keys(german)) expect(placeholders(english, key), key).toEqual(placeholders(german, key));
  });
});
