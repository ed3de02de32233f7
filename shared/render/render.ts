import type { PlatformSpec, TextCounting } from '../platforms/registry';
import { type Cut, cutsOf } from './cuts';
import { countingUnit, measureText } from './measure';

export interface RenderInput {
  text: string;
  /** the city page the message points to: the source of truth, kept whole whenever the text is shortened */
  link?: string;
  /** this platform's own text, written by a person: never shortened */
  override?: string;
  mediaCount: number;
}

export type RenderOutcome =
  | { ok: true; text: string; length: number; limit: number; shortened: boolean }
  | { ok: false; reason: string; length: number; limit: number };

/**
 * Marks a shortened text. Preceded by a space because whole words are left out (and so a URL,
 * a #hashtag or a sentence's full stop at the cut is not run together with it).
 */
export const ELLIPSIS = ' …';
const LINK_SEPARATOR = '\n\n';

/** The limit that applies to this post: the caption limit when it carries media and the platform has one. */
export const textLimit = (spec: PlatformSpec, mediaCount: number): number =>
  mediaCount > 0 && spec.text.captionLimit !== undefined ? spec.text.captionLimit : spec.text.limit;

/** Where the link already stands in the text as a URL of its own (not as the start of a longer one), or -1. */
const linkPosition = (text: string, link: string): number => {
  for (let at = text.indexOf(link); at >= 0; at = text.indexOf(link, at + 1)) {
    // punctuation right after the link ends a sentence or a bracket; anything else makes it another URL
    if (/^[.,;:!?)\]}"'»«“”]*(?:\s|$)/u.test(text.slice(at + link.length))) return at;
  }
  return -1;
};

const withLink = (body: string, link: string | undefined): string => {
  if (!link || linkPosition(body, link) >= 0) return body;
  const trimmed = body.trimEnd();
  return trimmed ? `${trimmed}${LINK_SEPARATOR}${link}` : link;
};

export function renderForPlatform(spec: PlatformSpec, input: RenderInput): RenderOutcome {
  const limit = textLimit(spec, input.mediaCount);
  const measure = (text: string) => measureText(spec.text.counting, text);
  const unit = countingUnit(spec.text.counting);
  const link = input.link || undefined;

  const full = withLink(input.override ?? input.text, link);
  const length = measure(full);
  if (length <= limit) return { ok: true, text: full, length, limit, shortened: false };

  const refuse = (why: string): RenderOutcome => ({
    ok: false,
    reason: `${spec.displayName} allows ${limit} ${unit}${input.mediaCount > 0 && limit === spec.text.captionLimit ? ' under media' : ''}: ${why}`,
    length,
    limit,
  });
  const withTheLink = link ? ' with the link' : '';
  if (input.override !== undefined) {
    return refuse(`the text written for ${spec.displayName} is ${length}${withTheLink}, and it is never shortened`);
  }
  const linkLength = link ? measure(link) : 0;
  if (linkLength > limit) return refuse(`the link alone is ${linkLength}`);

  const shortened = shorten(input.text, link, limit, measure);
  if (!shortened) {
    return refuse(
      `the text is ${length}${withTheLink}, and not even its first word fits${link ? ' before the link' : ''}`,
    );
  }
  return { ok: true, text: shortened.text, length: shortened.length, limit, shortened: true };
}

/**
 * A text within `limit` by the renderer's own rules (a sentence or a word boundary, then the
 * ellipsis), for texts that are not posts, such as an image's alt text. Never refuses: a text
 * whose first word alone is too long is cut inside that word, at a character.
 */
export function fitText(text: string, limit: number, counting: TextCounting): string {
  const measure = (candidate: string) => measureText(counting, candidate);
  if (measure(text) <= limit) return text;
  const shortened = shorten(text, undefined, limit, measure);
  if (shortened) return shortened.text;
  let kept = '';
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if (measure(`${kept}${segment}${ELLIPSIS.trim()}`) > limit) break;
    kept += segment;
  }
  return `${kept}${ELLIPSIS.trim()}`;
}

interface Shortened {
  text: string;
  length: number;
  /** how much of the original text it keeps, in the platform's count */
  kept: number;
}

/**
 * Keeps as much of the text as fits, cut at a sentence when that keeps at least half of the room,
 * else at a word; then the ellipsis, then the link unless the kept part already carries it.
 */
function shorten(
  text: string,
  link: string | undefined,
  limit: number,
  measure: (text: string) => number,
): Shortened | undefined {
  const position = link ? linkPosition(text, link) : -1;
  const linkEnd = link && position >= 0 ? position + link.length : Infinity;
  const render = (cut: Cut): Shortened => {
    const kept = text.slice(0, cut.end);
    const rendered = cut.end >= linkEnd || !link ? `${kept}${ELLIPSIS}` : `${kept}${ELLIPSIS}${LINK_SEPARATOR}${link}`;
    return { text: rendered, length: measure(rendered), kept: measure(kept) };
  };

  const cuts = cutsOf(text);
  const atWord = longestFitting(cuts, linkEnd, limit, render);
  if (!atWord) return undefined;
  const atSentence = longestFitting(
    cuts.filter((cut) => cut.sentence),
    linkEnd,
    limit,
    render,
  );
  if (atSentence) {
    const room = limit - (atSentence.length - atSentence.kept);
    if (atSentence.kept * 2 >= room) return atSentence;
  }
  return atWord;
}

/**
 * The longest rendering that fits. Cuts that keep the link in the text need no appended link, so
 * they are searched first; within each group a longer cut never measures shorter, so a binary
 * search finds the longest one that fits. Every answer is measured as a whole, so it fits for sure.
 */
function longestFitting(
  cuts: Cut[],
  linkEnd: number,
  limit: number,
  render: (cut: Cut) => Shortened,
): Shortened | undefined {
  const firstKeepingLink = cuts.findIndex((cut) => cut.end >= linkEnd);
  const groups = firstKeepingLink < 0 ? [cuts] : [cuts.slice(firstKeepingLink), cuts.slice(0, firstKeepingLink)];
  for (const group of groups) {
    let low = 0;
    let high = group.length - 1;
    let best: Shortened | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = render(group[middle]!);
      if (candidate.length <= limit) {
        best = candidate;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (best) return best;
  }
  return undefined;
}
