/**
 * Rich-text facets for Bluesky posts (lexicon `app.bsky.richtext.facet`): links, mentions and
 * hashtags, addressed by UTF-8 byte offsets into the post text (not JavaScript string indexes,
 * which count UTF-16 code units: "ü" is 1 index but 2 bytes, "🚒" 2 indexes but 4 bytes).
 */

export type FacetFeature =
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#mention'; did: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: FacetFeature[];
}

/** A piece of the text the facets point at, before mentions are resolved to DIDs. */
export interface DetectedSpan {
  kind: 'link' | 'mention' | 'tag';
  /** the URL, the handle (without `@`) or the tag (without `#`) */
  value: string;
  byteStart: number;
  byteEnd: number;
}

const encoder = new TextEncoder();
export const utf8Length = (text: string): number => encoder.encode(text).byteLength;

/** The longest tag the lexicon allows (`maxGraphemes: 64`). */
const MAX_TAG_GRAPHEMES = 64;

const URL_PATTERN = /(^|[\s(])(https?:\/\/[^\s]+)/giu;
const MENTION_PATTERN =
  /(^|[\s(])@([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+)/gu;
const TAG_PATTERN = /(^|\s)[#＃](\S+)/gu;
/** Invisible characters end a tag (soft hyphen, word joiner, zero-width spaces and joiners, keycap). */
const TAG_END = /\u00AD|\u2060|\u200A|\u200B|\u200C|\u200D|\u20E2/u;
const TRAILING_PUNCTUATION = /[.,;:!?'"»«“”„]+$/u;

/** A URL ends before trailing sentence punctuation, and before a `)` it did not open. */
function trimUrl(url: string): string {
  let trimmed = url.replace(TRAILING_PUNCTUATION, '');
  while (trimmed.endsWith(')') && (trimmed.match(/\(/g) ?? []).length < (trimmed.match(/\)/g) ?? []).length) {
    trimmed = trimmed.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  }
  return trimmed;
}

function graphemeCount(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

function span(
  text: string,
  kind: DetectedSpan['kind'],
  value: string,
  charStart: number,
  charEnd: number,
): DetectedSpan {
  return { kind, value, byteStart: utf8Length(text.slice(0, charStart)), byteEnd: utf8Length(text.slice(0, charEnd)) };
}

/** Find links, mentions and hashtags in a post text, with their UTF-8 byte ranges. */
export function detectSpans(text: string): DetectedSpan[] {
  const spans: DetectedSpan[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[2] ?? '');
    const start = (match.index ?? 0) + (match[1] ?? '').length;
    if (URL.canParse(url)) spans.push(span(text, 'link', url, start, start + url.length));
  }
  for (const match of text.matchAll(MENTION_PATTERN)) {
    const handle = (match[2] ?? '').replace(TRAILING_PUNCTUATION, '');
    // A handle's last label is a TLD, never all digits (that would be a version number or an IP).
    if (/\.\d+$/.test(handle)) continue;
    const start = (match.index ?? 0) + (match[1] ?? '').length;
    if (!insideAny(spans, text, start))
      spans.push(span(text, 'mention', handle.toLowerCase(), start, start + 1 + handle.length));
  }
  for (const match of text.matchAll(TAG_PATTERN)) {
    const tag = ((match[2] ?? '').split(TAG_END)[0] ?? '').replace(/\p{P}+$/u, '');
    // A tag needs a letter in it (#1 is a number, not a tag) and must fit the lexicon.
    if (!/\p{L}/u.test(tag) || graphemeCount(tag) > MAX_TAG_GRAPHEMES) continue;
    const start = (match.index ?? 0) + (match[1] ?? '').length;
    if (!insideAny(spans, text, start)) spans.push(span(text, 'tag', tag, start, start + 1 + tag.length));
  }
  return spans.sort((a, b) => a.byteStart - b.byteStart);
}

/** `#anchor` or `@user` inside a URL belongs to the URL. */
function insideAny(spans: DetectedSpan[], text: string, charStart: number): boolean {
  const byte = utf8Length(text.slice(0, charStart));
  return spans.some((existing) => byte >= existing.byteStart && byte < existing.byteEnd);
}

/**
 * Turn detected spans into facets. Mentions need the account's DID; a handle that does not
 * resolve stays plain text, as the Bluesky app does it.
 */
export async function buildFacets(
  text: string,
  resolveHandle: (handle: string) => Promise<string | undefined>,
): Promise<Facet[]> {
  const facets: Facet[] = [];
  for (const detected of detectSpans(text)) {
    const index = { byteStart: detected.byteStart, byteEnd: detected.byteEnd };
    if (detected.kind === 'link')
      facets.push({ index, features: [{ $type: 'app.bsky.richtext.facet#link', uri: detected.value }] });
    if (detected.kind === 'tag')
      facets.push({ index, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: detected.value }] });
    if (detected.kind === 'mention') {
      const did = await resolveHandle(detected.value);
      if (did) facets.push({ index, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
    }
  }
  return facets;
}
