import { describe, expect, it } from 'vitest';
import de from '../../../web/src/locales/de.json';
import en from '../../../web/src/locales/en.json';

/** Every string's path: a list of keys, since a key may itself hold a dot (the audit's `message.create`). */
const paths = (value: unknown, prefix: string[] = []): string[][] =>
  value && typeof value === 'object'
    ? Object.entries(value).flatMap(([key, inner]) => paths(inner, [...prefix, key]))
    : [prefix];
const keys = (value: unknown): string[] => paths(value).map((path) => JSON.stringify(path));

describe('the workspace in German and English', () => {
  it('has every German string in English too, and no English string without a German one', () => {
    expect(keys(en).sort()).toEqual(keys(de).sort());
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
    for (const path of paths(de)) expect(placeholders(en, path), path.join(' > ')).toEqual(placeholders(de, path));
  });
});
