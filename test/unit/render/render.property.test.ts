import fc from 'fast-check';
import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { platformList, type PlatformSpec } from '../../../shared/platforms/registry';
import { ELLIPSIS, measureText, renderForPlatform, textLimit, type RenderInput } from '../../../shared/render';

const RUNS = { numRuns: 300 };
const LINK_SEPARATOR = '\n\n';
const graphemes = (text: string): string[] =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), ({ segment }) => segment);
/** blanks that separate words; no-break spaces do not */
const BLANKS = '\\t\\n\\v\\f\\r \\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000';
const BLANK = new RegExp(`^[${BLANKS}]`, 'u');
const ENDS_BLANK = new RegExp(`[${BLANKS}]$`, 'u');

/**
 * The shortest text a shortening could keep: up to the first blank that starts a grapheme of its own
 * after a word, i.e. after a grapheme that does not end in a blank ("\u0600 " is one grapheme).
 */
const firstWord = (text: string): { word: string; more: boolean } => {
  let word = '';
  for (const grapheme of graphemes(text)) {
    if (BLANK.test(grapheme) && /\S/u.test(word) && !ENDS_BLANK.test(word))
      return { word, more: /\S/u.test(text.slice(word.length)) };
    word += grapheme;
  }
  return { word, more: false };
};

const germanWord = fc.constantFrom(
  'Straße',
  'Brücke',
  'Größe',
  'Feuerwehr',
  'Einsatz',
  'Dresden',
  'Überflutung',
  'Hochwasser',
  'Äußeres',
  'Grüße',
  'heißt',
  'z.',
  'B.',
  'ca.',
  '25.',
  'Nr.\u00a05',
  'Gefahr!',
  'Warum?',
  'Ende.',
  'Königsbrücker',
  'Donaudampfschifffahrtsgesellschaftskapitänsmütze',
  '(Altstadt)',
  '„Achtung“',
  'usw.',
  '–',
);
const unicodeWord = fc.constantFrom(
  '👍🏽',
  '👋🏿',
  '👨‍👩‍👧‍👦',
  '👩🏽‍🚒',
  '🏳️‍🌈',
  '🇩🇪',
  '🇪🇺',
  '🔥',
  '❤️',
  'e\u0301',
  'ドレスデン',
  '消防',
  '\u0600',
);
const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
const mention = fc.oneof(
  fc.stringMatching(/^@[A-Za-z0-9_]{1,15}$/),
  fc.stringMatching(/^@[a-z0-9_]{1,12}@[a-z]{2,10}\.social$/),
);
const hashtag = fc.stringMatching(/^#[A-Za-zÄÖÜäöüß0-9_]{1,20}$/);
const anyGraphemes = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 });
const word = fc.oneof(
  { weight: 6, arbitrary: germanWord },
  { weight: 2, arbitrary: unicodeWord },
  { weight: 1, arbitrary: url },
  { weight: 1, arbitrary: mention },
  { weight: 1, arbitrary: hashtag },
  { weight: 2, arbitrary: anyGraphemes },
);
const separator = fc.constantFrom(' ', ' ', ' ', ' ', '. ', ', ', '\n', '\n\n', '  ');
const text = fc
  .array(fc.tuple(word, separator), { minLength: 1, maxLength: 160, size: 'large' })
  .map((parts) => parts.map(([w, s]) => w + s).join(''))
  .chain((joined) => fc.constantFrom(joined, joined.trimEnd()));

/**
 * Every platform of the registry with its own counting; the limit is either the real one or a small
 * one, so generated texts are shortened on every platform, Facebook's 63,206 included.
 */
const platform = fc
  .tuple(fc.constantFrom(...platformList()), fc.option(fc.integer({ min: 10, max: 700 }), { freq: 4 }))
  .map(([spec, smallLimit]): PlatformSpec => {
    if (smallLimit === null) return spec;
    const captionLimit = spec.text.captionLimit && Math.min(smallLimit, spec.text.captionLimit);
    return { ...spec, text: { ...spec.text, limit: smallLimit, captionLimit } };
  });

/** the city page: sometimes short, sometimes long enough to crowd out the text */
const cityPage = fc.stringMatching(/^[a-z0-9-]{1,200}$/).map((path) => `https://www.dresden.de/${path}.php`);

interface Case {
  input: RenderInput;
  /** the text already carries the link as one of its words */
  linkInText: boolean;
}

const renderCase: fc.Arbitrary<Case> = fc
  .record({
    text,
    link: fc.option(cityPage, { nil: undefined, freq: 2 }),
    mediaCount: fc.integer({ min: 0, max: 4 }),
    linkAt: fc.option(fc.nat(), { freq: 3 }),
  })
  .map(({ text, link, mediaCount, linkAt }) => {
    if (!link || linkAt === null) return { input: { text, link, mediaCount }, linkInText: false };
    const words = text.split(' ');
    words.splice(linkAt % (words.length + 1), 0, link);
    return { input: { text: words.join(' '), link, mediaCount }, linkInText: true };
  });

const linkBlock = (link: string | undefined) => (link ? `${LINK_SEPARATOR}${link}` : '');

/** What a shortened rendering kept of the original text, with the ellipsis and the appended link taken off. */
const keptPart = (rendered: string, link: string | undefined): string => {
  const withoutLink =
    link && rendered.endsWith(linkBlock(link)) ? rendered.slice(0, -linkBlock(link).length) : rendered;
  expect(withoutLink.endsWith(ELLIPSIS)).toBe(true);
  return withoutLink.slice(0, -ELLIPSIS.length);
};

describe('renderForPlatform, for every platform and arbitrary text', { timeout: 60_000 }, () => {
  it('refuses a text whose only short cut would split a grapheme (a prepended mark before a blank)', () => {
    const spec = platformList().find((candidate) => candidate.id === 'threads')!;
    const narrow = { ...spec, text: { ...spec.text, limit: 10 } };
    const given = { text: '\u0600   Straße #Ö ', mediaCount: 0 };
    expect(renderForPlatform(narrow, given)).toMatchObject({ ok: false, limit: 10 });
    expect(firstWord(given.text).word).toBe('\u0600   Straße');
  });

  it('never exceeds the limit by the platform’s own count, and reports that count', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given }) => {
        const outcome = renderForPlatform(spec, given);
        expect(outcome.limit).toBe(textLimit(spec, given.mediaCount));
        if (!outcome.ok) return;
        const length = measureText(spec.text.counting, outcome.text);
        expect(outcome.length).toBe(length);
        expect(length).toBeLessThanOrEqual(outcome.limit);
      }),
      RUNS,
    );
  });

  it('keeps the link intact whenever it renders', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given }) => {
        const outcome = renderForPlatform(spec, given);
        if (!outcome.ok || !given.link) return;
        expect(outcome.text.includes(given.link)).toBe(true);
        if (outcome.shortened && !keptPart(outcome.text, given.link).includes(given.link)) {
          expect(outcome.text.endsWith(linkBlock(given.link))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('returns text that fits unchanged, plus the link', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given, linkInText }) => {
        const outcome = renderForPlatform(spec, given);
        const whole = given.link && !linkInText ? `${given.text.trimEnd()}${linkBlock(given.link)}` : given.text;
        const fits = measureText(spec.text.counting, whole) <= textLimit(spec, given.mediaCount);
        expect(outcome.ok && !outcome.shortened).toBe(fits);
        if (fits) expect(outcome).toMatchObject({ ok: true, text: whole });
      }),
      RUNS,
    );
  });

  it('keeps whole graphemes of the original text and cuts only between words', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given }) => {
        const outcome = renderForPlatform(spec, given);
        if (!outcome.ok || !outcome.shortened) return;
        const kept = keptPart(outcome.text, given.link);
        expect(kept.length).toBeGreaterThan(0);
        expect(given.text.startsWith(kept)).toBe(true);
        const original = graphemes(given.text);
        const keptGraphemes = graphemes(kept);
        expect(keptGraphemes).toEqual(original.slice(0, keptGraphemes.length));
        // a word ends at the cut: a blank follows in the original, none is left before it
        expect(given.text.charAt(kept.length)).toMatch(BLANK);
        expect(kept).not.toMatch(ENDS_BLANK);
      }),
      RUNS,
    );
  });

  it('never ends inside a URL, @mention or #hashtag (as X’s own parser finds them)', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given }) => {
        const outcome = renderForPlatform(spec, given);
        if (!outcome.ok || !outcome.shortened) return;
        const cut = keptPart(outcome.text, given.link).length;
        for (const entity of twitterText.extractEntitiesWithIndices(given.text)) {
          const [start, end] = entity.indices;
          expect(start < cut && cut < end, `${JSON.stringify(entity)} split at ${cut}`).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('refuses only when not even the first word fits', () => {
    fc.assert(
      fc.property(platform, renderCase, (spec, { input: given }) => {
        const outcome = renderForPlatform(spec, given);
        if (outcome.ok) return;
        const limit = textLimit(spec, given.mediaCount);
        const measure = (candidate: string) => measureText(spec.text.counting, candidate);
        const { word, more } = firstWord(given.text);
        const linkTooLong = given.link !== undefined && measure(given.link) > limit;
        expect(linkTooLong || !more || measure(`${word}${ELLIPSIS}${linkBlock(given.link)}`) > limit).toBe(true);
        expect(outcome.reason).toContain(spec.displayName);
        expect(outcome.reason).toContain(String(limit));
      }),
      RUNS,
    );
  });

  it('never shortens an override: it renders whole or is refused', () => {
    fc.assert(
      fc.property(platform, renderCase, text, (spec, { input: given }, override) => {
        const outcome = renderForPlatform(spec, { ...given, override });
        const whole = given.link ? `${override.trimEnd()}${linkBlock(given.link)}` : override;
        if (outcome.ok) expect(outcome).toMatchObject({ text: whole, shortened: false });
        else expect(measureText(spec.text.counting, whole)).toBeGreaterThan(outcome.limit);
      }),
      RUNS,
    );
  });
});
