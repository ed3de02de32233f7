/**
 * The alert card renderer: a card laid out with satori (HTML/CSS layout to SVG, every glyph as a
 * path, so nothing downstream needs a font), rasterised and encoded by sharp (libvips with librsvg
 * and libjpeg-turbo) as the platform's format at its size. Runs only in the card function: neither
 * the ingest function nor the publishers bundle it.
 *
 * No network at render time: the fonts (Inter, OFL-1.1, from @fontsource/inter) and the emoji
 * (Twemoji SVGs, CC-BY-4.0, from @twemoji/svg) are read from disk, from `HEROLD_CARD_ASSETS` in the
 * Lambda bundle or from node_modules elsewhere.
 *
 * A card that cannot be made correctly is refused with a CardError, never drawn wrong: a character
 * no shipped font or emoji covers (it would be an empty box), a missing font file, or a headline
 * that does not fit at the smallest type size. The caller fails that one delivery with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import satori, { type Font } from 'satori';
import sharp from 'sharp';
import type { CardSpec } from '../platforms/registry';
import { fitText } from '../render';
import type { CardContent } from './rule';
import { CARD_ASSETS_ENV } from './config';

export class CardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardError';
  }
}

export interface CardInput {
  content: CardContent;
  /** the organisation's name as people know it */
  organisation: string;
  /** when the alert was issued */
  issuedAt: Date;
  /** the message's web page, shown at the foot of the card */
  link?: string;
  spec: CardSpec;
}

export interface RenderedCard {
  bytes: Buffer;
  width: number;
  height: number;
  mime: CardSpec['mime'];
  /** wall time of layout, rasterising and encoding */
  renderMs: number;
}

const FONT_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'greek'] as const;
const FONT_WEIGHTS = [400, 700, 800] as const;
const FONT_FAMILY = FONT_SUBSETS.map((subset) => `Inter-${subset}`).join(', ');

/** Where the fonts and emoji are: a directory of the bundle in Lambda, the npm packages elsewhere. */
export function cardAssetPaths(env: NodeJS.ProcessEnv = process.env): { fonts: string; emoji: string } {
  const bundled = env[CARD_ASSETS_ENV];
  if (bundled) return { fonts: path.join(bundled, 'fonts'), emoji: path.join(bundled, 'twemoji') };
  const require = createRequire(import.meta.url);
  const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
  return { fonts: path.join(packageDir('@fontsource/inter'), 'files'), emoji: packageDir('@twemoji/svg') };
}

interface Assets {
  fonts: Font[];
  /** code point ranges the fonts cover */
  ranges: [number, number][];
  emojiDir: string;
  emoji: Map<string, string | undefined>;
}

let loaded: { key: string; assets: Assets } | undefined;

function loadAssets(): Assets {
  const paths = cardAssetPaths();
  const key = `${paths.fonts}|${paths.emoji}`;
  if (loaded?.key === key) return loaded.assets;
  const read = (file: string) => {
    const full = path.join(paths.fonts, file);
    if (!existsSync(full)) throw new CardError(`font missing: ${file} is not in ${paths.fonts}`);
    return readFileSync(full);
  };
  const fonts = FONT_SUBSETS.flatMap((subset) =>
    FONT_WEIGHTS.map((weight) => ({
      name: `Inter-${subset}`,
      data: read(`inter-${subset}-${weight}-normal.woff`),
      weight,
      style: 'normal' as const,
    })),
  );
  // @fontsource names each subset's Unicode ranges beside the font files (unicode.json one level up)
  const unicodeFile = [path.join(paths.fonts, 'unicode.json'), path.join(paths.fonts, '..', 'unicode.json')].find(
    existsSync,
  );
  if (!unicodeFile) throw new CardError(`font missing: no unicode.json beside ${paths.fonts}`);
  const subsets = JSON.parse(readFileSync(unicodeFile, 'utf8')) as Record<string, string>;
  const ranges = FONT_SUBSETS.flatMap((subset) =>
    (subsets[subset] ?? '').split(',').map((range): [number, number] => {
      const [from = '0', to] = range.replace('U+', '').split('-');
      return [Number.parseInt(from, 16), Number.parseInt(to ?? from, 16)];
    }),
  );
  const assets = { fonts, ranges, emojiDir: paths.emoji, emoji: new Map<string, string | undefined>() };
  loaded = { key, assets };
  return assets;
}

/** Twemoji's file names: code points in hex joined by "-", U+FE0F left out unless the sequence has a ZWJ. */
export function twemojiName(segment: string): string {
  const points = [...segment].map((character) => character.codePointAt(0) ?? 0);
  const kept = points.includes(0x200d) ? points : points.filter((point) => point !== 0xfe0f);
  return kept.map((point) => point.toString(16)).join('-');
}

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function emojiImage(assets: Assets, segment: string): string | undefined {
  if (!assets.emoji.has(segment)) {
    const file = path.join(assets.emojiDir, `${twemojiName(segment)}.svg`);
    assets.emoji.set(
      segment,
      existsSync(file) ? `data:image/svg+xml;base64,${readFileSync(file).toString('base64')}` : undefined,
    );
  }
  return assets.emoji.get(segment);
}

/** Every character must be drawable: a glyph of a shipped font, or a Twemoji. */
function checkCoverage(assets: Assets, text: string): void {
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) {
      if (!emojiImage(assets, segment))
        throw new CardError(`no emoji image for "${segment}" (${twemojiName(segment)})`);
      continue;
    }
    for (const character of segment) {
      const point = character.codePointAt(0) ?? 0;
      if (point === 0xfe0f || point === 0x200d || /\s/u.test(character)) continue;
      if (!assets.ranges.some(([from, to]) => point >= from && point <= to))
        throw new CardError(
          `the card's fonts have no glyph for "${character}" (U+${point.toString(16).toUpperCase().padStart(4, '0')})`,
        );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layout

type Node = { type: string; props: Record<string, unknown> & { style?: Record<string, unknown> } };
const box = (style: Record<string, unknown>, ...children: (Node | string)[]): Node => ({
  type: 'div',
  props: { style, children: children.length === 1 ? children[0] : children },
});

const COLOURS: Record<string, string> = {
  Warnung: '#b0001a',
  Warning: '#b0001a',
  Aktualisierung: '#9a3d00',
  Update: '#9a3d00',
  Entwarnung: '#17692f',
  'All clear': '#17692f',
  Widerruf: '#4a4a4a',
  Withdrawn: '#4a4a4a',
  Hinweis: '#0b4a8b',
  Notice: '#0b4a8b',
};

/** Headline type sizes at 1080 px width, largest first; the first at which the headline fits is used. */
const HEADLINE_SIZES = [104, 88, 76, 64, 54];
const HEADLINE_LINES = 6;
const INSTRUCTION_SIZES = [48, 42, 36];
const INSTRUCTION_LINES = 6;

function formatIssued(at: Date, language: string): string {
  const german = language.toLowerCase().startsWith('de');
  const formatted = new Intl.DateTimeFormat(german ? 'de-DE' : 'en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
  return german ? `${formatted} Uhr` : formatted;
}

const exerciseText = (marker: string, german: boolean) =>
  marker === 'TEST'
    ? german
      ? 'TEST – KEINE ECHTE WARNUNG'
      : 'TEST – NOT A REAL WARNING'
    : german
      ? 'ÜBUNG – KEINE ECHTE GEFAHR'
      : 'EXERCISE – NOT A REAL EMERGENCY';

interface Measured {
  size: number;
  height: number;
}

export async function renderCard(input: CardInput): Promise<RenderedCard> {
  const started = performance.now();
  const assets = loadAssets();
  const { content, spec } = input;
  const scale = spec.width / 1080;
  const pad = Math.round(64 * scale);
  const inner = spec.width - 2 * pad;
  const german = content.language.toLowerCase().startsWith('de');
  const meta = `${input.organisation} · ${formatIssued(input.issuedAt, content.language)}`;
  const footer = input.link ? input.link.replace(/^https?:\/\//, '').replace(/\/$/, '') : undefined;
  for (const text of [content.headline, content.instruction ?? '', meta, footer ?? '']) checkCoverage(assets, text);

  const loadAdditionalAsset = async (code: string, segment: string) =>
    code === 'emoji' ? (emojiImage(assets, segment) ?? []) : [];
  const options = (width: number, height?: number) => ({
    width,
    ...(height ? { height } : {}),
    fonts: assets.fonts,
    loadAdditionalAsset,
  });
  const textStyle = (size: number, weight: number, lineHeight: number) => ({
    display: 'block',
    fontFamily: FONT_FAMILY,
    fontSize: size,
    fontWeight: weight,
    lineHeight,
    wordBreak: 'break-word',
    color: '#111111',
  });
  /** The height a text takes at a size, laid out by satori itself (the same layout the card gets). */
  const measure = async (
    text: string,
    width: number,
    size: number,
    weight: number,
    lineHeight: number,
  ): Promise<number> => {
    const svg = await satori(box({ ...textStyle(size, weight, lineHeight), width }, text) as never, options(width));
    return Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? Number.POSITIVE_INFINITY);
  };
  /** The largest size at which the text takes at most `lines` lines; short texts start at a smaller size, saving layouts. */
  const firstFitting = async (
    text: string,
    width: number,
    sizes: number[],
    weight: number,
    lineHeight: number,
    lines: number,
  ): Promise<Measured | undefined> => {
    const length = [...text].length;
    const start = Math.min(sizes.length - 1, Math.max(0, Math.floor(length / 40)));
    for (const base of sizes.slice(start)) {
      const size = Math.round(base * scale);
      const height = await measure(text, width, size, weight, lineHeight);
      if (height <= size * lineHeight * lines + 1) return { size, height };
    }
    return undefined;
  };

  const instructionPadding = Math.round(pad * 0.6);
  const instructionBorder = Math.round(16 * scale);
  const instructionWidth = inner - 2 * instructionPadding - instructionBorder;
  const headline = await firstFitting(content.headline, inner, HEADLINE_SIZES, 800, 1.1, HEADLINE_LINES);
  if (!headline)
    throw new CardError(
      `the headline does not fit on the ${spec.width}×${spec.height} card even at ${Math.round((HEADLINE_SIZES.at(-1) ?? 0) * scale)} px type (${HEADLINE_LINES} lines)`,
    );
  // The instruction is the second thing on the card: when it does not fit even at the smallest
  // size it is shortened by the renderer's rules (the caption and the alt text carry all of it).
  let instruction = content.instruction;
  let instructionSize = 0;
  for (let attempt = 0; instruction && attempt < 6; attempt += 1) {
    const fitting = await firstFitting(instruction, instructionWidth, INSTRUCTION_SIZES, 700, 1.25, INSTRUCTION_LINES);
    if (fitting) {
      instructionSize = fitting.size;
      break;
    }
    instruction = fitText(instruction, Math.floor([...instruction].length * 0.75), 'graphemes');
  }
  if (instruction && !instructionSize) instruction = undefined;

  const colour = COLOURS[content.label] ?? COLOURS.Warnung;
  const strip = (text: string): Node =>
    box(
      {
        display: 'flex',
        flexShrink: 0,
        height: Math.round(76 * scale),
        alignItems: 'center',
        justifyContent: 'center',
        backgroundColor: '#ffd600',
        color: '#111111',
        fontSize: Math.round(40 * scale),
        fontWeight: 800,
        letterSpacing: 2,
        position: 'relative',
      },
      text,
    );
  const children: Node[] = [
    box(
      {
        display: 'flex',
        flexDirection: 'column',
        flexShrink: 0,
        backgroundColor: colour,
        color: '#ffffff',
        padding: `${Math.round(pad * 0.75)}px ${pad}px`,
        position: 'relative',
      },
      box(
        { display: 'flex', fontSize: Math.round(44 * scale), fontWeight: 800, letterSpacing: 2 },
        content.label.toUpperCase(),
      ),
      box({ display: 'flex', fontSize: Math.round(34 * scale), fontWeight: 400, marginTop: 8 }, meta),
    ),
    box(
      {
        ...textStyle(headline.size, 800, 1.1),
        padding: `${pad}px ${pad}px ${Math.round(pad * 0.6)}px`,
        flexShrink: 0,
        position: 'relative',
      },
      content.headline,
    ),
    ...(instruction
      ? [
          // a bar and a box side by side, not a CSS border: borders and line clamps cost the rasteriser masks
          box(
            { display: 'flex', flexShrink: 0, margin: `0 ${pad}px`, position: 'relative' },
            box({ display: 'flex', width: instructionBorder, flexShrink: 0, backgroundColor: colour }, ''),
            box(
              {
                ...textStyle(instructionSize, 700, 1.25),
                width: instructionWidth + 2 * instructionPadding,
                padding: `${instructionPadding}px`,
                backgroundColor: '#fff4cc',
              },
              instruction,
            ),
          ),
        ]
      : []),
    box({ display: 'flex', flexGrow: 1 }, ''),
    box({ display: 'flex', flexShrink: 0, height: 4, backgroundColor: '#dddddd', position: 'relative' }, ''),
    box(
      {
        display: 'flex',
        flexShrink: 0,
        padding: `${Math.round(pad * 0.5)}px ${pad}px`,
        fontSize: Math.round(32 * scale),
        color: '#333333',
        fontFamily: FONT_FAMILY,
        position: 'relative',
      },
      footer ? `${german ? 'Mehr' : 'More'}: ${footer}` : input.organisation,
    ),
  ];
  if (content.marker) {
    // "ÜBUNG" a crop cannot remove: a strip at the top and the bottom, and a band across, behind the text
    const text = exerciseText(content.marker, german);
    children.unshift(strip(text));
    children.push(strip(text));
    children.unshift(
      box(
        {
          position: 'absolute',
          left: -spec.width * 0.25,
          top: spec.height * 0.42,
          width: spec.width * 1.5,
          height: Math.round(190 * scale),
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'center',
          backgroundColor: 'rgba(255, 214, 0, 0.55)',
          transform: 'rotate(-28deg)',
          fontSize: Math.round(150 * scale),
          fontWeight: 800,
          letterSpacing: 14,
          color: 'rgba(17, 17, 17, 0.28)',
        },
        `${content.marker} · ${content.marker}`,
      ),
    );
  }
  const svg = await satori(
    box(
      {
        display: 'flex',
        flexDirection: 'column',
        width: spec.width,
        height: spec.height,
        backgroundColor: '#ffffff',
        fontFamily: FONT_FAMILY,
        position: 'relative',
      },
      ...children,
    ) as never,
    options(spec.width, spec.height),
  );
  const image = sharp(Buffer.from(svg), { density: 72 }).flatten({ background: '#ffffff' });
  const bytes =
    spec.mime === 'image/jpeg'
      ? // 4:2:0 chroma, as Instagram re-encodes every upload anyway: half the encoding time of 4:4:4
        await image.jpeg({ quality: 90 }).toBuffer()
      : await image.png({ compressionLevel: 6 }).toBuffer();
  return { bytes, width: spec.width, height: spec.height, mime: spec.mime, renderMs: performance.now() - started };
}
