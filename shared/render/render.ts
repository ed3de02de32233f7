/** Per-platform rendering (interim version: code-point counting, word-boundary shortening). */
import type { PlatformSpec, TextCounting } from '../platforms/registry';

export interface RenderInput {
  text: string;
  link?: string;
  override?: string;
  mediaCount: number;
}
export type RenderOutcome =
  | { ok: true; text: string; length: number; limit: number; shortened: boolean }
  | { ok: false; reason: string; length: number; limit: number };

export function measureText(_counting: TextCounting, text: string): number {
  return [...text].length;
}

export function renderForPlatform(spec: PlatformSpec, input: RenderInput): RenderOutcome {
  const limit = input.mediaCount > 0 && spec.text.captionLimit ? spec.text.captionLimit : spec.text.limit;
  const body = input.override ?? input.text;
  const suffix = input.link && !body.includes(input.link) ? `\n\n${input.link}` : '';
  const full = body + suffix;
  const length = measureText(spec.text.counting, full);
  if (length <= limit) return { ok: true, text: full, length, limit, shortened: false };
  if (input.override) return { ok: false, reason: `the ${spec.displayName} override is ${length} long, the limit is ${limit}`, length, limit };
  const room = limit - measureText(spec.text.counting, suffix) - 1;
  const words = body.split(/(\s+)/);
  let kept = '';
  for (const word of words) {
    if (measureText(spec.text.counting, kept + word) > room) break;
    kept += word;
  }
  kept = kept.trimEnd();
  if (!kept) return { ok: false, reason: `the text does not fit ${spec.displayName}'s limit of ${limit}`, length, limit };
  const text = `${kept}…${suffix}`;
  return { ok: true, text, length: measureText(spec.text.counting, text), limit, shortened: true };
}
