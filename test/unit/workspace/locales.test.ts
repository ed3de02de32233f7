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

/** Every string's path: a list of keys, since a key may itself hold a dot (the audit's `message.create`). */
const paths = (value: unknown, prefix: string[] = []): string[][] =>
  value && typeof value === 'object'
    ? Object.entries(value).flatMap(([key, inner]) => paths(inner, [...prefix, key]))
    : [prefix];
const keys = (value: unknown): string[] => paths(value).map((path) => JSON.stringify(path));

describe('the workspace in German and English', () => {
  it('has every German string in English too, and no English string without a German one', () => {
    for (const [, german, english] of CATALOGS) expect(keys(english).sort()).toEqual(keys(german).sort());
  });

  it("never has a screen's catalog redefine a key of the first load", () => {
    const first = new Set(keys(de));
    expect(keys(consoleDe).filter((key) => first.has(key))).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (catalog: unknown, path: string[]) =>
      [
        ...String(path.reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog)).matchAll(
          /\{\{(\w+)\}\}/g,
        ),
      ]
        .map((match) => match[1])
        .sort();
    for (const [, german, english] of CATALOGS)
      for (const path of paths(german))
        expect(placeholders(english, path), path.join(' > ')).toEqual(placeholders(german, path));
  });
});
