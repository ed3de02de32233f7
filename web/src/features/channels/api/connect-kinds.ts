/** What each platform's connection asks of the person (shared/connect/inputs.ts has the bodies). */
import type { PlatformId } from '@shared/platforms/registry';

export type ConnectKind = 'signIn' | 'target' | 'mastodon' | 'bluesky' | 'telegram' | 'whatsapp';

export const CONNECT_KINDS: Record<PlatformId, ConnectKind> = {
  threads: 'signIn',
  youtube: 'signIn',
  x: 'signIn',
  facebook: 'target',
  instagram: 'target',
  linkedin: 'target',
  pinterest: 'target',
  mastodon: 'mastodon',
  bluesky: 'bluesky',
  telegram: 'telegram',
  whatsapp: 'whatsapp',
};

/** A Mastodon channel's account is its instance's address once it was connected. */
export const knownInstance = (account: string): string | undefined =>
  /^https?:\/\/[^/]+\/?$/.test(account) ? account.replace(/\/$/, '') : undefined;

/**
 * The connections that need nothing typed in start with one click: the sign-in platforms, the
 * platforms with a Page, organisation or board to choose (the handle decides unless another is named),
 * and a Mastodon channel whose instance is known.
 */
export function oneClickBody(platform: PlatformId, account: string): Record<string, string> | undefined {
  const kind = CONNECT_KINDS[platform];
  if (kind === 'signIn' || kind === 'target') return {};
  const instance = kind === 'mastodon' ? knownInstance(account) : undefined;
  return instance ? { instance } : undefined;
}
