/**
 * The public directory's files, rendered from its content: a page in German and one in English,
 * the same two as an embeddable view (for the organisation's website, in a frame), one stylesheet,
 * and an Atom feed (RFC 4287) of the latest messages. Plain HTML and CSS: no script, no font, no
 * image or request from anywhere but the directory itself, so nothing tracks a reader.
 */
import { PLATFORMS } from '../platforms/registry';
import type { DirectoryChannel, DirectoryContent, DirectoryMessage } from './content';

export type Language = 'de' | 'en';

/** Where a file of an organisation's directory lives, relative to the directory's base URL. */
export const directoryPaths = (org: string) => ({
  page: (language: Language) => (language === 'de' ? `${org}/index.html` : `${org}/en/index.html`),
  embed: (language: Language) => (language === 'de' ? `${org}/embed.html` : `${org}/en/embed.html`),
  feed: `${org}/feed.atom`,
  qr: (channel: DirectoryChannel, hash: string, format: 'svg' | 'png') => `${org}/qr/${channel.id}-${hash}.${format}`,
});
export const STYLESHEET_PATH = 'assets/directory.css';

const TEXT = {
  de: {
    subtitle: 'Unsere offiziellen Kanäle',
    channels: 'Kanäle',
    open: 'Zum Kanal',
    notMonitored: 'Wird nicht betreut',
    notMonitoredHint: 'Dieser Kanal besteht, wird aber derzeit nicht gelesen oder beantwortet.',
    qrAlt: (platform: string, handle: string) => `QR-Code: direkt zu ${platform} ${handle}`,
    qrPng: 'QR-Code als PNG für den Druck',
    emergency: 'Aktuelle Warnung',
    latest: 'Neueste Mitteilungen',
    none: 'Noch keine Mitteilungen.',
    more: 'Mehr dazu',
    feed: 'Alle Mitteilungen als Atom-Feed',
    otherLanguage: 'English',
    privacy: 'Diese Seite setzt keine Cookies, lädt nichts von Dritten und zählt niemanden.',
    published: 'Veröffentlicht',
    locale: 'de-DE',
  },
  en: {
    subtitle: 'Our official channels',
    channels: 'Channels',
    open: 'Open channel',
    notMonitored: 'Not monitored',
    notMonitoredHint: 'This channel exists, but nobody reads or answers it at the moment.',
    qrAlt: (platform: string, handle: string) => `QR code: straight to ${platform} ${handle}`,
    qrPng: 'QR code as PNG for print',
    emergency: 'Current warning',
    latest: 'Latest messages',
    none: 'No messages yet.',
    more: 'Read more',
    feed: 'All messages as an Atom feed',
    otherLanguage: 'Deutsch',
    privacy: 'This page sets no cookies, loads nothing from third parties and counts nobody.',
    published: 'Published',
    locale: 'en-GB',
  },
} as const;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Messages in more than one language (a CAP alert's): each page keeps the one in its own language. */
export function messagesFor(language: Language, messages: readonly DirectoryMessage[]): DirectoryMessage[] {
  const inLanguage = (message: DirectoryMessage) => message.language?.toLowerCase().startsWith(language) ?? false;
  const translated = new Set(
    messages.filter((message) => message.capIdentifier && inLanguage(message)).map((message) => message.capIdentifier),
  );
  return messages.filter(
    (message) =>
      !message.language || inLanguage(message) || !message.capIdentifier || !translated.has(message.capIdentifier),
  );
}

export interface QrFiles {
  svg: string;
  png: string;
}

export interface PageInput {
  content: DirectoryContent;
  language: Language;
  embed: boolean;
  /** relative paths from the page to each channel's QR files */
  qr: Map<string, QrFiles>;
  /** from the page to the directory's root (for the stylesheet) */
  root: string;
  /** from the page to the organisation's folder */
  orgFolder: string;
  builtAt: Date;
}

const time = (iso: string, language: Language) =>
  `<time datetime="${iso}">${new Intl.DateTimeFormat(TEXT[language].locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Berlin',
  }).format(new Date(iso))}</time>`;

function messageHtml(message: DirectoryMessage, language: Language, headingLevel: 2 | 3, target: string): string {
  const lang =
    message.language && !message.language.toLowerCase().startsWith(language)
      ? ` lang="${escapeHtml(message.language)}"`
      : '';
  // the first line is the heading; the rest of the text follows it (a one-line message is its heading alone)
  const lines = message.text.trim().split('\n');
  const rest = firstLine(message.text) === lines[0] ? lines.slice(1).join('\n').trim() : message.text.trim();
  const paragraphs = rest
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
  const heading = escapeHtml(firstLine(message.text));
  return `<article id="m-${escapeHtml(message.id)}"${lang}>
<h${headingLevel}>${heading}</h${headingLevel}>
<p class="meta">${TEXT[language].published}: ${time(message.publishedAt, language)}</p>
${paragraphs}
${message.link ? `<p><a href="${escapeHtml(message.link)}"${target}>${TEXT[language].more}<span class="visually-hidden">: ${heading}</span></a></p>` : ''}
</article>`;
}

/** A message's title: its first line, at most 80 characters, cut at a word. */
export function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  if ([...line].length <= 80) return line;
  const cut = [...line].slice(0, 79).join('');
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40))} …`;
}

function channelHtml(channel: DirectoryChannel, input: PageInput, target: string): string {
  const text = TEXT[input.language];
  const platform = PLATFORMS[channel.platform].displayName;
  const qr = input.qr.get(channel.id);
  const status = channel.monitored
    ? ''
    : `<p class="status"><strong>${text.notMonitored}.</strong> ${text.notMonitoredHint}</p>`;
  return `<li class="channel${channel.monitored ? '' : ' frozen'}">
<h3>${escapeHtml(platform)}</h3>
<p class="handle">${escapeHtml(channel.handle)}</p>
${status}
<p><a href="${escapeHtml(channel.url)}"${target}>${text.open}<span class="visually-hidden">: ${escapeHtml(platform)} ${escapeHtml(channel.handle)}</span></a></p>
${
  qr
    ? `<figure><img src="${qr.svg}" width="160" height="160" alt="${escapeHtml(text.qrAlt(platform, channel.handle))}"><figcaption><a href="${qr.png}" download>${text.qrPng}<span class="visually-hidden">: ${escapeHtml(platform)}</span></a></figcaption></figure>`
    : ''
}
</li>`;
}

export function renderPage(input: PageInput): string {
  const { content, language, embed } = input;
  const text = TEXT[language];
  // inside a frame on the organisation's site, links open in the site's window, not in the frame
  const target = embed ? ' target="_top"' : '';
  const emergency =
    content.emergency && messagesFor(language, [content.emergency]).length > 0 ? content.emergency : undefined;
  // the current emergency stands on top, not twice
  const messages = messagesFor(language, content.messages).filter((message) => message.id !== emergency?.id);
  const other: Language = language === 'de' ? 'en' : 'de';
  const otherHref = embed
    ? other === 'en'
      ? `${input.orgFolder}en/embed.html`
      : `${input.orgFolder}embed.html`
    : other === 'en'
      ? `${input.orgFolder}en/`
      : input.orgFolder;
  const title = `${content.displayName}: ${text.channels}`;
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${input.root}${STYLESHEET_PATH}">
<link rel="alternate" type="application/atom+xml" href="${input.orgFolder}feed.atom" title="${escapeHtml(content.displayName)}">
</head>
<body${embed ? ' class="embed"' : ''}>
<header>
<h1>${escapeHtml(content.displayName)}</h1>
<p class="subtitle">${text.subtitle}</p>
<p class="language"><a href="${otherHref}" lang="${other}" hreflang="${other}">${text.otherLanguage}</a></p>
</header>
<main>
${
  emergency
    ? `<section class="emergency" aria-labelledby="emergency-heading">
<h2 id="emergency-heading">${text.emergency}</h2>
${messageHtml(emergency, language, 3, target)}
</section>`
    : ''
}
<section aria-labelledby="channels-heading">
<h2 id="channels-heading">${text.channels}</h2>
<ul class="channels">
${content.channels.map((channel) => channelHtml(channel, input, target)).join('\n')}
</ul>
</section>
<section aria-labelledby="latest-heading">
<h2 id="latest-heading">${text.latest}</h2>
${messages.length === 0 ? `<p>${text.none}</p>` : `<div class="messages">${messages.map((message) => messageHtml(message, language, 3, target)).join('\n')}</div>`}
<p><a href="${input.orgFolder}feed.atom" type="application/atom+xml"${target}>${text.feed}</a></p>
</section>
</main>
<footer><p>${text.privacy}</p></footer>
</body>
</html>
`;
}

export const STYLESHEET = `:root{color-scheme:light;--ink:#1b1b1b;--muted:#4a4a4a;--line:#c9c9c9;--accent:#004b87;--warn:#8a1c1c;--warn-bg:#fdecea}
*{box-sizing:border-box}
body{margin:0 auto;max-width:64rem;padding:1.5rem;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
body.embed{padding:.75rem}
header{border-bottom:2px solid var(--accent);margin-bottom:1.5rem;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem}
h1{font-size:1.75rem;margin:0}
.subtitle{margin:0;color:var(--muted);flex:1}
.language{margin:0}
h2{font-size:1.35rem;margin:2rem 0 .75rem}
h3{font-size:1.1rem;margin:0}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.channels{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}
.channel{border:1px solid var(--line);border-radius:.5rem;padding:1rem;display:flex;flex-direction:column;gap:.35rem}
.channel p{margin:0}
.handle{color:var(--muted);overflow-wrap:anywhere}
.frozen{background:#f4f4f4}
.status{font-size:.95rem}
figure{margin:auto 0 0;padding-top:.5rem}
figure img{display:block;width:10rem;height:10rem;background:#fff}
figcaption{font-size:.9rem;margin-top:.25rem}
.emergency{border:3px solid var(--warn);background:var(--warn-bg);border-radius:.5rem;padding:1rem 1.25rem;margin-top:0}
.emergency h2{color:var(--warn);margin-top:0}
.messages article{border-top:1px solid var(--line);padding:.75rem 0}
.meta{color:var(--muted);font-size:.95rem;margin:.25rem 0}
footer{margin-top:2.5rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[character]!,
  );

/** The Atom feed (RFC 4287) of the latest messages; `pageUrl` is the German page's absolute address. */
export function renderFeed(content: DirectoryContent, pageUrl: string, feedUrl: string, builtAt: Date): string {
  const messages = content.messages;
  const updated = messages.reduce((latest, message) => (message.updatedAt > latest ? message.updatedAt : latest), '');
  const entries = messages
    .map(
      (message) => `<entry>
<id>${escapeXml(`${pageUrl}#m-${message.id}`)}</id>
<title type="text">${escapeXml(firstLine(message.text))}</title>
<published>${message.publishedAt}</published>
<updated>${message.updatedAt}</updated>
<link rel="alternate" type="text/html" href="${escapeXml(message.link ?? `${pageUrl}#m-${message.id}`)}"/>
${message.emergency ? '<category term="emergency" label="Warnung"/>\n' : ''}<content type="text"${message.language ? ` xml:lang="${escapeXml(message.language)}"` : ''}>${escapeXml(message.text)}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<id>${escapeXml(feedUrl)}</id>
<title type="text">${escapeXml(content.displayName)}</title>
<subtitle type="text">Mitteilungen, die über Herold veröffentlicht wurden</subtitle>
<updated>${updated || builtAt.toISOString()}</updated>
<author><name>${escapeXml(content.displayName)}</name><uri>${escapeXml(pageUrl)}</uri></author>
<link rel="self" type="application/atom+xml" href="${escapeXml(feedUrl)}"/>
<link rel="alternate" type="text/html" href="${escapeXml(pageUrl)}"/>
<generator>Herold</generator>
${entries}
</feed>
`;
}
