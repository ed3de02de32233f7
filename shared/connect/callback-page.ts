/**
 * The page a person sees after the platform sent them back: connected, failed (with the platform's
 * reason), or refused (a replayed, forged or expired callback). German first, with English. It names
 * the channel and the account, never a token; it loads nothing, runs no script and may not be framed.
 */
import { createHash } from 'node:crypto';
import { PLATFORMS, type PlatformId } from '../platforms/registry';

export type CallbackOutcome =
  | { kind: 'connected'; platform: PlatformId; channelId: string; channel: string; account: string }
  | { kind: 'failed'; platform: PlatformId; channelId: string; channel: string; reason: string }
  | { kind: 'refused'; reason: string };

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const STYLE =
  'body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}h1{font-size:1.4rem}.ok{color:#0a6b2a}.bad{color:#a4161a}p.en{color:#444}';

/** The headers of the page: no framing, no referrer (the address carries the code), no caching. */
export const CALLBACK_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * The workspace's Channels page, told which channel came back and how: it shows the outcome as the
 * channel records it (the account, or the platform's reason), so nothing but ids travel in the link.
 */
export function channelsPageUrl(workspaceUrl: string, outcome: CallbackOutcome): string {
  const url = new URL('channels', `${workspaceUrl.replace(/\/+$/, '')}/`);
  if (outcome.kind !== 'refused') url.searchParams.set('channel', outcome.channelId);
  url.searchParams.set('outcome', outcome.kind);
  return url.toString();
}

export function callbackPage(outcome: CallbackOutcome, workspaceUrl?: string): string {
  let title: [string, string];
  let body: [string, string];
  let tone: 'ok' | 'bad';
  if (outcome.kind === 'connected') {
    const platform = PLATFORMS[outcome.platform].displayName;
    tone = 'ok';
    title = ['Verbunden', 'Connected'];
    body = [
      `Der Kanal „${escape(outcome.channel)}“ ist mit dem ${platform}-Konto ${escape(outcome.account)} verbunden.`,
      `The channel “${escape(outcome.channel)}” is connected to the ${platform} account ${escape(outcome.account)}.`,
    ];
  } else if (outcome.kind === 'failed') {
    tone = 'bad';
    title = ['Verbindung fehlgeschlagen', 'Connection failed'];
    body = [
      `Der Kanal „${escape(outcome.channel)}“ bleibt, wie er war. Grund: ${escape(outcome.reason)}. Sie können es erneut versuchen.`,
      `The channel “${escape(outcome.channel)}” stays as it was. Reason: ${escape(outcome.reason)}. You can try again.`,
    ];
  } else {
    tone = 'bad';
    title = ['Anmeldung abgelehnt', 'Sign-in refused'];
    body = [
      `Diese Rückmeldung wird nicht angenommen, es wurde nichts geändert. Grund: ${escape(outcome.reason)}.`,
      `This answer is not accepted and nothing was changed. Reason: ${escape(outcome.reason)}.`,
    ];
  }
  const back = workspaceUrl
    ? `<p><a href="${escape(channelsPageUrl(workspaceUrl, outcome))}">Zurück zu den Kanälen</a> · <span lang="en">Back to the channels</span></p>`
    : '';
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Herold: ${title[0]}</title><style>${STYLE}</style></head>
<body>
<main>
<h1 class="${tone}">${title[0]} <span lang="en">· ${title[1]}</span></h1>
<p>${body[0]}</p>
<p class="en" lang="en">${body[1]}</p>
${back}
</main>
</body>
</html>
`;
}
