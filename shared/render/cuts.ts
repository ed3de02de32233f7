import { graphemeBoundaries } from './measure';

/**
 * Where a too-long text may be cut. A cut only ever falls between two words, i.e. at the end of a run
 * of non-blank characters; URLs, @mentions and #hashtags contain no blanks, so they stay whole.
 * No-break spaces (U+00A0, U+2007, U+202F) are not blanks: "10 km" or "Nr. 5" must not be torn apart.
 */
export interface Cut {
  /** UTF-16 offset in the text: the kept prefix is text.slice(0, end) */
  end: number;
  /** the kept prefix ends a sentence or a line */
  sentence: boolean;
}

const BLANK = '\\t\\n\\v\\f\\r \\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000';
const WORD = new RegExp(`[^${BLANK}]+`, 'gu');

const SENTENCE_END = /[.!?…][)\]"'»«“”‘’]*$/u;
/** abbreviations that end in a full stop without ending a sentence */
const ABBREVIATIONS = new Set([
  'abs.',
  'bzw.',
  'ca.',
  'dr.',
  'etc.',
  'evtl.',
  'ggf.',
  'hbf.',
  'inkl.',
  'jh.',
  'max.',
  'min.',
  'mio.',
  'mrd.',
  'nr.',
  'prof.',
  'sog.',
  'st.',
  'str.',
  'tel.',
  'usw.',
  'vgl.',
  'vs.',
]);
/** "25." (a date or ordinal), "z.B.", "u.a.", "i.d.R.", a single initial "z." */
const ORDINAL_OR_INITIALS = /^(?:[\d.]+\.|(?:\p{L}\.)+)$/u;
const OPENING_PUNCTUATION = /^[("'„“‚‘»«[]+/u;

const endsSentence = (word: string, nextWord: string | undefined): boolean => {
  if (!SENTENCE_END.test(word)) return false;
  const bare = word.replace(OPENING_PUNCTUATION, '');
  if (word.endsWith('.') && (ABBREVIATIONS.has(bare.toLowerCase()) || ORDINAL_OR_INITIALS.test(bare))) return false;
  // a lower-case continuation means the full stop belonged to something else ("ca. 20 min. später")
  const nextStart = nextWord?.replace(OPENING_PUNCTUATION, '');
  return !nextStart || !/^\p{Ll}/u.test(nextStart);
};

/** The last text asked about: one message is rendered for up to eleven platforms in a row. */
let last: { text: string; cuts: Cut[] } | undefined;

/** Every place the text may be cut short, in text order; the end of the text itself is not one. */
export function cutsOf(text: string): Cut[] {
  if (last?.text === text) return last.cuts;
  const cuts = findCuts(text);
  last = { text, cuts };
  return cuts;
}

function findCuts(text: string): Cut[] {
  const boundaries = graphemeBoundaries(text);
  const words = [...text.matchAll(WORD)];
  const cuts: Cut[] = [];
  for (let i = 0; i + 1 < words.length; i += 1) {
    const word = words[i]!;
    const next = words[i + 1]!;
    const end = word.index + word[0].length;
    // a blank can still belong to the grapheme before it (after a prepended mark)
    if (!boundaries.has(end)) continue;
    const lineBreak = /[\n\r\u2028\u2029]/u.test(text.slice(end, next.index));
    cuts.push({ end, sentence: lineBreak || endsSentence(word[0], next[0]) });
  }
  return cuts;
}
