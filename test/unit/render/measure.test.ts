import { describe, expect, it } from 'vitest';
import { graphemeCount, measureText, utf8ByteLength } from '../../../shared/render';

const THUMB_MEDIUM_SKIN = '👍🏽';
const FAMILY = '👨‍👩‍👧‍👦';
const FLAG_GERMANY = '🇩🇪';

describe('measureText', () => {
  it('counts German text with umlauts and ß the same way on every platform', () => {
    const text = 'Straßensperrung an der Königsbrücker Straße';
    for (const counting of ['graphemes', 'x-weighted', 'code-points', 'utf16'] as const) {
      expect(measureText(counting, text)).toBe(43);
    }
  });

  it('counts a decomposed umlaut as one grapheme but two code points', () => {
    const decomposed = 'Mu\u0308ller';
    expect(measureText('graphemes', decomposed)).toBe(6);
    expect(measureText('code-points', decomposed)).toBe(7);
    expect(measureText('utf16', decomposed)).toBe(7);
  });

  it.each([
    ['skin-toned emoji', THUMB_MEDIUM_SKIN, { graphemes: 1, 'code-points': 2, utf16: 4, 'x-weighted': 2 }],
    ['ZWJ family', FAMILY, { graphemes: 1, 'code-points': 7, utf16: 11, 'x-weighted': 2 }],
    ['flag', FLAG_GERMANY, { graphemes: 1, 'code-points': 2, utf16: 4, 'x-weighted': 2 }],
  ])('counts a %s by each platform rule', (_name, emoji, expected) => {
    for (const [counting, length] of Object.entries(expected)) {
      expect(measureText(counting as keyof typeof expected, emoji), counting).toBe(length);
    }
  });

  it('weighs every URL on X as 23, however long', () => {
    const url = `https://www.dresden.de/de/rathaus/aktuelles/pressemitteilungen/2026/11/${'a'.repeat(120)}.php`;
    expect(measureText('x-weighted', `Mehr: ${url}`)).toBe(6 + 23);
    expect(measureText('x-weighted', 'Mehr: dresden.de')).toBe(6 + 23);
    expect(measureText('code-points', `Mehr: ${url}`)).toBe(6 + url.length);
  });

  it('weighs CJK on X double', () => {
    expect(measureText('x-weighted', 'ドレスデン')).toBe(10);
  });
});

describe('helpers', () => {
  it('graphemeCount counts what a reader sees', () => {
    expect(graphemeCount(`Grüße ${FAMILY}${FLAG_GERMANY}${THUMB_MEDIUM_SKIN}`)).toBe(9);
    expect(graphemeCount('')).toBe(0);
  });

  it('utf8ByteLength gives the byte offsets Bluesky facets use', () => {
    expect(utf8ByteLength('ß')).toBe(2);
    expect(utf8ByteLength('Grüße')).toBe(7);
    expect(utf8ByteLength(THUMB_MEDIUM_SKIN)).toBe(8);
    expect(utf8ByteLength(FAMILY)).toBe(25);
  });
});
