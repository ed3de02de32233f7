import twitterText from 'twitter-text';
import type { TextCounting } from '../platforms/registry';

// Built on first use: creating a segmenter loads ICU's break rules (≈ 10 ms), which a function that never renders should not pay for.
let segmenter: Intl.Segmenter | undefined;
const graphemeSegmenter = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));
const utf8 = new TextEncoder();

/** User-perceived characters (extended grapheme clusters): what Bluesky counts against its 300. */
export const graphemeCount = (text: string): number => {
  let count = 0;
  for (const _ of graphemeSegmenter().segment(text)) count += 1;
  return count;
};

/** UTF-8 length: Bluesky facets address the text by byte offsets. */
export const utf8ByteLength = (text: string): number => utf8.encode(text).length;

/** UTF-16 offsets at which a grapheme starts, plus the end of the text: the only places a text may be cut. */
export const graphemeBoundaries = (text: string): Set<number> => {
  const boundaries = new Set<number>([text.length]);
  for (const { index } of graphemeSegmenter().segment(text)) boundaries.add(index);
  return boundaries;
};

/** The length of a text as the platform counts it against its limit. */
export function measureText(counting: TextCounting, text: string): number {
  switch (counting) {
    case 'graphemes':
      return graphemeCount(text);
    case 'x-weighted':
      // X's own rules (URLs 23, emoji and CJK 2, NFC first) live in twitter-text; never re-derive them
      return twitterText.parseTweet(text).weightedLength;
    case 'code-points': {
      let count = 0;
      for (const _ of text) count += 1;
      return count;
    }
    case 'utf16':
      return text.length;
  }
}

/** The word a reason uses for one unit of a platform's count. */
export const countingUnit = (counting: TextCounting): string =>
  ({
    graphemes: 'characters',
    'x-weighted': 'weighted characters',
    'code-points': 'characters',
    utf16: 'UTF-16 code units',
  })[counting];
