/**
 * The alert-card rule, shared by planning, previews and the card renderer. Pure and small: the
 * ingest function and the workspace import it, the renderer (shared/cards/render.ts) does not come
 * with it.
 *
 * A platform that takes no post without an image (Instagram, Pinterest; the registry's `card`) gets
 * a generated card instead of skipping the post when the message carries no media of its own and
 * it is not routine text: an emergency message, an official (CAP) warning, or a message that asks
 * for one with `card: true`. YouTube takes videos only and has no card: it stays skipped.
 */
import type { Message } from '../model/schemas';
import type { CardSpec, PlatformSpec } from '../platforms/registry';
import { fitText } from '../render';

export interface CardCandidate {
  priority: Message['priority'];
  media: readonly unknown[];
  card?: boolean;
  cap?: unknown;
}

/** The card this platform gets for this message, or undefined when the usual media rules apply. */
export function cardFor(spec: PlatformSpec, message: CardCandidate): CardSpec | undefined {
  if (!spec.card || spec.media.required === 'none' || message.media.length > 0) return undefined;
  const wanted = message.priority === 'emergency' || message.cap !== undefined || message.card === true;
  return wanted ? spec.card : undefined;
}

/** What a card shows, in the message's language. */
export interface CardContent {
  language: string;
  headline: string;
  /** the key instruction: what people should do */
  instruction?: string;
  /** ÜBUNG / EXERCISE / TEST on every card of a dry run */
  marker?: string;
  /** Warnung, Aktualisierung, Entwarnung … */
  label: string;
}

type CardSource = Pick<Message, 'text' | 'kind' | 'priority'> & Partial<Pick<Message, 'cap' | 'language' | 'dryRun'>>;

const MARKER_LINE = /^\+\+\+ (ÜBUNG|EXERCISE|TEST) \+\+\+ /;

const LABELS: Record<'de' | 'en', Record<Message['kind'] | 'notice', string>> = {
  de: {
    alert: 'Warnung',
    update: 'Aktualisierung',
    'all-clear': 'Entwarnung',
    cancel: 'Widerruf',
    post: 'Warnung',
    answer: 'Antwort',
    notice: 'Hinweis',
  },
  en: {
    alert: 'Warning',
    update: 'Update',
    'all-clear': 'All clear',
    cancel: 'Withdrawn',
    post: 'Warning',
    answer: 'Answer',
    notice: 'Notice',
  },
};

const isGerman = (language: string) => language.toLowerCase().startsWith('de');

export function cardContent(message: CardSource): CardContent {
  const language = message.language ?? 'de-DE';
  const german = isGerman(language);
  const text = message.text.replace(MARKER_LINE, '');
  const [first = '', ...rest] = text.split('\n');
  const headline = (message.cap?.headline ?? first).trim();
  const body = rest.join('\n').trim();
  const instruction = (message.cap ? message.cap.instruction : body.split(/\n\s*\n/).at(-1))?.trim();
  const status = message.cap?.status;
  const marker =
    status === 'Exercise'
      ? german
        ? 'ÜBUNG'
        : 'EXERCISE'
      : status === 'Test'
        ? 'TEST'
        : MARKER_LINE.exec(message.text)?.[1];
  const labels = LABELS[german ? 'de' : 'en'];
  const kind = message.kind === 'post' && message.priority !== 'emergency' ? 'notice' : message.kind;
  return {
    language,
    headline,
    ...(instruction ? { instruction } : {}),
    ...(marker ? { marker } : {}),
    label: labels[kind],
  };
}

/**
 * The card's alt text: the headline and the instruction, so a screen reader loses nothing, cut by
 * the renderer's rules to what the platform stores. Never a reason to skip the post.
 */
export function cardAltText(content: CardContent, spec: PlatformSpec): string {
  const parts = [
    content.marker ? `${content.marker}:` : undefined,
    `${content.label}: ${content.headline}`,
    content.instruction,
  ].filter(Boolean);
  const text = parts.join(' ');
  const limit = spec.media.maxAltText > 0 ? spec.media.maxAltText : text.length;
  return fitText(text, limit, 'code-points');
}
