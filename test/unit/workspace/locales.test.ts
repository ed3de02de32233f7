import { describe, expect, it } from 'vitest';
import de from '../../../web/src/locales/de.json';
import en from '../../../web/src/locales/en.json';

const keys = (value: unknown, prefix = ''): string[] =>
  value && typeof value === 'object'
    ? Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key))
    : [prefix];

describe('the workspace in German and English', () => {
  it('has every German string in English too, and no English string without a German one', () => {
    expect(keys(en).sort()).toEqual(keys(de).sort());
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
    for (const key of keys(de)) expect(placeholders(en, key), key).toEqual(placeholders(de, key));
  });
});
