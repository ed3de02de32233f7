/**
 * The platform registry: the single source of truth for every platform Herold can publish to.
 * CDK builds one queue pair, one publisher function, alarms and dashboard widgets per entry that
 * the deployment's `herold:platforms` lists (default: every entry);
 * the local stack builds its queues and pollers from it; the renderer takes its rules from it.
 */

export const PLATFORM_IDS = [
  'threads',
  'whatsapp',
  'facebook',
  'instagram',
  'youtube',
  'linkedin',
  'pinterest',
  'x',
  'mastodon',
  'bluesky',
  'telegram',
] as const;

export type PlatformId = (typeof PLATFORM_IDS)[number];

/** Every media type a message may carry: each platform accepts some of them (see `media` below). */
export const MEDIA_MIMES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'video/mp4',
  'video/quicktime',
  'video/webm',
] as const;

/** How a platform counts the length of a text. */
export type TextCounting =
  /** user-perceived characters (extended grapheme clusters, Intl.Segmenter) */
  | 'graphemes'
  /** X's weighted count: URLs 23, CJK and emoji 2 (twitter-text) */
  | 'x-weighted'
  /** Unicode code points (UTF-16 surrogate pairs count once) */
  | 'code-points'
  /** UTF-16 code units, as JavaScript's String.length */
  | 'utf16';

export interface MediaRules {
  /** what a post must carry to be accepted at all */
  required: 'none' | 'image-or-video' | 'video';
  maxItems: number;
  imageMimes: readonly string[];
  videoMimes: readonly string[];
  maxImageBytes: number;
  maxVideoBytes: number;
  /** the longest alt text the platform stores */
  maxAltText: number;
}

/**
 * The alert card Herold generates for a platform that takes no post without an image (an
 * emergency message, or a message with `card: true`, that carries no media of its own).
 */
export interface CardSpec {
  width: number;
  height: number;
  /** the format the platform takes (Instagram publishes JPEG only) */
  mime: 'image/jpeg' | 'image/png';
  /** the platform's rule the size and format follow */
  rule: string;
}

export interface QuotaRule {
  /** publishing actions allowed per window */
  limit: number;
  windowSeconds: number;
  note: string;
}

/**
 * A platform's read limit and the share of it Herold spends on reading replies, in fixed windows
 * short enough that no rolling window of the platform can see more than its documented limit.
 */
export interface ReadBudgetRule {
  /** calls (YouTube: quota units) allowed per window */
  limit: number;
  windowSeconds: number;
  /** whose limit it is: each channel's (per account or Page), or one for every channel of the platform (per app, per IP) */
  per: 'channel' | 'app';
  /** the documented limit and how Herold's share follows from it */
  note: string;
}

/**
 * What Herold can do with the public replies to its own posts on a platform (the inbox).
 * - `collect`: `poll` reads them from the platform's API; `poll-and-push` also takes the platform's
 *   signed webhook (the poll stays as the safety net); `push` only (Telegram keeps no history to
 *   read later); `none`, with the reason in `unavailable`.
 * - `hide`: another person's reply can be hidden and shown again (never deleted by Herold).
 * - `reads`: the read budget of the polls (never the publishing budget and its emergency reserve).
 * - `answerQuota`: answers are counted against a limit of their own (Threads: 1,000 replies a day
 *   beside 250 posts); without one they are posts as the platform counts them, in the publishing budget.
 */
export interface InboxSpec {
  collect: 'poll' | 'poll-and-push' | 'push' | 'none';
  /** why there is no inbox: no comments API (Pinterest, WhatsApp Channels), or reads paid per post (X) */
  unavailable?: 'no-comments-api' | 'paid-reads';
  hide: boolean;
  reads?: ReadBudgetRule;
  answerQuota?: QuotaRule;
}

export interface PlatformSpec {
  id: PlatformId;
  displayName: string;
  text: {
    limit: number;
    counting: TextCounting;
    /** a shorter limit for captions under media, where the platform has one */
    captionLimit?: number;
  };
  media: MediaRules;
  /** 'api': published through the platform's API; 'handoff': no posting API, a person posts the rendered text */
  publishing: 'api' | 'handoff';
  /** replies/threads supported by the posting API */
  replies: boolean;
  /** default publishing quota per channel */
  quota: QuotaRule | null;
  /** production API host; overridden by HEROLD_<PLATFORM>_BASE_URL */
  defaultBaseUrl: string;
  /** where follower counts come from */
  followers: 'api' | 'manual';
  /** the generated alert card, for platforms whose posts need an image (see CardSpec) */
  card?: CardSpec;
  /**
   * The platform's access tokens expire and its publisher renews them on use, before they expire or
   * when the platform refuses one (PlatformClient.refreshCredentials, shared/tokens/refresh-on-use),
   * and stores the renewed secret: its function may write new versions of its own platform's
   * secrets, never create or delete one.
   */
  publisherRenewsTokens?: true;
  /** the replies inbox (see InboxSpec) */
  inbox: InboxSpec;
}

const IMAGES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
const VIDEOS = ['video/mp4', 'video/quicktime'] as const;
const MB = 1024 * 1024;
const DAY = 24 * 60 * 60;
const HOUR = 60 * 60;
const NO_INBOX = (unavailable: NonNullable<InboxSpec['unavailable']>): InboxSpec => ({
  collect: 'none',
  unavailable,
  hide: false,
});

export const PLATFORMS: Record<PlatformId, PlatformSpec> = {
  threads: {
    id: 'threads',
    displayName: 'Threads',
    text: { limit: 500, counting: 'code-points' },
    media: {
      required: 'none',
      maxItems: 20,
      imageMimes: ['image/jpeg', 'image/png'],
      videoMimes: VIDEOS,
      maxImageBytes: 8 * MB,
      maxVideoBytes: 1024 * MB,
      maxAltText: 1000,
    },
    publishing: 'api',
    replies: true,
    quota: { limit: 250, windowSeconds: DAY, note: 'threads_publishing_limit: 250 posts per rolling 24 h' },
    defaultBaseUrl: 'https://graph.threads.net',
    followers: 'api',
    inbox: {
      collect: 'poll-and-push',
      hide: true,
      reads: {
        limit: 1000,
        windowSeconds: HOUR,
        per: 'channel',
        note: '4,800 calls × impressions (at least 10) per 24 h per app and user, so at least 48,000; replies are read within half of that, 1,000 an hour',
      },
      answerQuota: {
        limit: 1000,
        windowSeconds: DAY,
        note: 'threads_publishing_limit: 1,000 replies per rolling 24 h',
      },
    },
  },
  whatsapp: {
    id: 'whatsapp',
    displayName: 'WhatsApp Channels',
    text: { limit: 4096, counting: 'code-points' },
    media: {
      required: 'none',
      maxItems: 1,
      imageMimes: IMAGES,
      videoMimes: VIDEOS,
      maxImageBytes: 16 * MB,
      maxVideoBytes: 16 * MB,
      maxAltText: 0,
    },
    publishing: 'handoff',
    replies: false,
    quota: null,
    defaultBaseUrl: 'https://whatsapp.com',
    followers: 'manual',
    inbox: NO_INBOX('no-comments-api'),
  },
  facebook: {
    id: 'facebook',
    displayName: 'Facebook',
    text: { limit: 63206, counting: 'code-points' },
    media: {
      required: 'none',
      maxItems: 10,
      imageMimes: IMAGES,
      videoMimes: VIDEOS,
      maxImageBytes: 4 * MB,
      maxVideoBytes: 1024 * MB,
      maxAltText: 1000,
    },
    publishing: 'api',
    replies: false,
    quota: { limit: 200, windowSeconds: 60 * 60, note: 'Page rate limit (codes 4, 17, 32, 613)' },
    defaultBaseUrl: 'https://graph.facebook.com',
    followers: 'api',
    inbox: {
      collect: 'poll-and-push',
      hide: true,
      reads: {
        limit: 200,
        windowSeconds: HOUR,
        per: 'channel',
        note: 'Page tokens: 4,800 calls × engaged users per 24 h (Business Use Case), so at least 4,800: 200 an hour',
      },
    },
  },
  instagram: {
    id: 'instagram',
    displayName: 'Instagram',
    text: { limit: 2200, counting: 'code-points' },
    media: {
      required: 'image-or-video',
      maxItems: 10,
      imageMimes: ['image/jpeg'],
      videoMimes: VIDEOS,
      maxImageBytes: 8 * MB,
      maxVideoBytes: 300 * MB,
      maxAltText: 1000,
    },
    publishing: 'api',
    replies: false,
    quota: { limit: 100, windowSeconds: DAY, note: 'content_publishing_limit: 100 posts per rolling 24 h' },
    defaultBaseUrl: 'https://graph.facebook.com',
    followers: 'api',
    inbox: {
      collect: 'poll-and-push',
      hide: true,
      reads: {
        limit: 200,
        windowSeconds: HOUR,
        per: 'channel',
        note: 'Business Use Case: 4,800 calls × impressions per 24 h, so at least 4,800: 200 an hour',
      },
    },
    card: {
      width: 1080,
      height: 1350,
      mime: 'image/jpeg',
      rule: 'Instagram Graph API image posts: JPEG only, 8 MB, width 320–1440 px, aspect ratio between 4:5 and 1.91:1; 4:5 portrait (1080 × 1350) fills the most of a phone screen',
    },
  },
  youtube: {
    id: 'youtube',
    displayName: 'YouTube',
    // one-hour Google access tokens, renewed with the refresh token
    publisherRenewsTokens: true,
    text: { limit: 5000, counting: 'code-points' },
    media: {
      required: 'video',
      maxItems: 1,
      imageMimes: [],
      videoMimes: VIDEOS,
      maxImageBytes: 0,
      maxVideoBytes: 256 * 1024 * MB,
      maxAltText: 0,
    },
    publishing: 'api',
    replies: false,
    quota: {
      limit: 4,
      windowSeconds: DAY,
      note: '10,000 API units per day; videos.insert costs 1,600: 4 uploads (6,400), the rest for reading and answering replies',
    },
    defaultBaseUrl: 'https://www.googleapis.com',
    followers: 'api',
    inbox: {
      collect: 'poll',
      hide: true,
      reads: {
        limit: 125,
        windowSeconds: HOUR,
        per: 'app',
        note: '10,000 quota units a day per project, a page of comments costs 1: replies are read within 3,000 units a day (125 an hour) beside 4 uploads (6,400) and 12 answers (600)',
      },
      answerQuota: { limit: 12, windowSeconds: DAY, note: 'comments.insert costs 50 units: 600 of the 10,000 a day' },
    },
  },
  linkedin: {
    id: 'linkedin',
    displayName: 'LinkedIn',
    // 60-day access tokens, renewed where LinkedIn granted a refresh token
    publisherRenewsTokens: true,
    text: { limit: 3000, counting: 'utf16' },
    media: {
      required: 'none',
      maxItems: 20,
      imageMimes: ['image/jpeg', 'image/png', 'image/gif'],
      videoMimes: ['video/mp4'],
      maxImageBytes: 36 * MB,
      maxVideoBytes: 500 * MB,
      maxAltText: 4086,
    },
    publishing: 'api',
    replies: false,
    quota: { limit: 150, windowSeconds: DAY, note: 'member/application daily limit' },
    defaultBaseUrl: 'https://api.linkedin.com',
    followers: 'api',
    inbox: {
      collect: 'poll',
      hide: false,
      reads: {
        limit: 100,
        windowSeconds: HOUR,
        per: 'channel',
        note: 'daily limits per application and member, not published (the app’s Analytics tab shows them): replies are read within 2,400 calls a day',
      },
    },
  },
  pinterest: {
    id: 'pinterest',
    displayName: 'Pinterest',
    // 30-day access tokens, each refresh also brings a new refresh token
    publisherRenewsTokens: true,
    text: { limit: 800, counting: 'code-points' },
    media: {
      required: 'image-or-video',
      maxItems: 1,
      imageMimes: ['image/jpeg', 'image/png'],
      videoMimes: ['video/mp4'],
      maxImageBytes: 20 * MB,
      maxVideoBytes: 2048 * MB,
      maxAltText: 500,
    },
    publishing: 'api',
    replies: false,
    quota: { limit: 1000, windowSeconds: DAY, note: 'per-app write limit' },
    defaultBaseUrl: 'https://api.pinterest.com',
    followers: 'api',
    inbox: NO_INBOX('no-comments-api'),
    card: {
      width: 1000,
      height: 1500,
      mime: 'image/png',
      rule: 'Pinterest pins: JPEG or PNG up to 20 MB; the recommended aspect ratio is 2:3 (1000 × 1500), taller pins are cut off in the feed; PNG keeps text edges sharp',
    },
  },
  x: {
    id: 'x',
    displayName: 'X',
    // two-hour access tokens with rotating refresh tokens (shared/platforms/clients/x.ts)
    publisherRenewsTokens: true,
    text: { limit: 280, counting: 'x-weighted' },
    media: {
      required: 'none',
      maxItems: 4,
      imageMimes: IMAGES,
      videoMimes: ['video/mp4'],
      maxImageBytes: 5 * MB,
      maxVideoBytes: 512 * MB,
      maxAltText: 1000,
    },
    publishing: 'api',
    replies: true,
    quota: { limit: 17, windowSeconds: DAY, note: 'Free tier: 17 posts per 24 h; raise for Basic/Pro' },
    defaultBaseUrl: 'https://api.x.com',
    followers: 'api',
    inbox: NO_INBOX('paid-reads'),
  },
  mastodon: {
    id: 'mastodon',
    displayName: 'Mastodon',
    text: { limit: 500, counting: 'code-points' },
    media: {
      required: 'none',
      maxItems: 4,
      imageMimes: IMAGES,
      videoMimes: ['video/mp4', 'video/webm', 'video/quicktime'],
      maxImageBytes: 16 * MB,
      maxVideoBytes: 99 * MB,
      maxAltText: 1500,
    },
    publishing: 'api',
    replies: true,
    quota: { limit: 300, windowSeconds: 3 * 60 * 60, note: '300 statuses per 3 h per account' },
    defaultBaseUrl: 'https://mastodon.social',
    followers: 'api',
    inbox: {
      collect: 'poll',
      hide: false,
      reads: {
        limit: 150,
        windowSeconds: 5 * 60,
        per: 'channel',
        note: '300 requests per 5 minutes per account (and per IP): replies are read within half of that',
      },
    },
  },
  bluesky: {
    id: 'bluesky',
    displayName: 'Bluesky',
    text: { limit: 300, counting: 'graphemes' },
    media: {
      required: 'none',
      maxItems: 4,
      imageMimes: ['image/jpeg', 'image/png', 'image/webp'],
      videoMimes: ['video/mp4'],
      maxImageBytes: 1 * MB,
      maxVideoBytes: 50 * MB,
      maxAltText: 2000,
    },
    publishing: 'api',
    replies: true,
    quota: { limit: 1666, windowSeconds: 60 * 60, note: '5,000 points per hour, createRecord costs 3' },
    defaultBaseUrl: 'https://bsky.social',
    followers: 'api',
    inbox: {
      collect: 'poll',
      hide: true,
      reads: {
        limit: 1500,
        windowSeconds: 5 * 60,
        per: 'app',
        note: 'PDS: 3,000 requests per 5 minutes per IP, for every account Herold runs: replies are read within half of that',
      },
    },
  },
  telegram: {
    id: 'telegram',
    displayName: 'Telegram',
    text: { limit: 4096, counting: 'utf16', captionLimit: 1024 },
    media: {
      required: 'none',
      maxItems: 10,
      imageMimes: IMAGES,
      videoMimes: ['video/mp4'],
      maxImageBytes: 10 * MB,
      maxVideoBytes: 50 * MB,
      maxAltText: 0,
    },
    publishing: 'api',
    replies: true,
    quota: { limit: 20, windowSeconds: 60, note: 'about 20 messages per minute into one channel' },
    defaultBaseUrl: 'https://api.telegram.org',
    followers: 'api',
    inbox: { collect: 'push', hide: false },
  },
};

export const platformList = (): PlatformSpec[] => PLATFORM_IDS.map((id) => PLATFORMS[id]);

export const isPlatformId = (value: string): value is PlatformId => (PLATFORM_IDS as readonly string[]).includes(value);

/** Base URL for a platform's API: HEROLD_<PLATFORM>_BASE_URL wins over the production host. */
export const platformBaseUrl = (id: PlatformId, env: NodeJS.ProcessEnv = process.env): string =>
  (env[`HEROLD_${id.toUpperCase()}_BASE_URL`] ?? PLATFORMS[id].defaultBaseUrl).replace(/\/+$/, '');

/** Queue names, shared by CDK and the local stack. */
export const queueNames = (id: PlatformId, prefix = 'herold') => ({
  normal: `${prefix}-${id}`,
  urgent: `${prefix}-${id}-urgent`,
  normalDlq: `${prefix}-${id}-dlq`,
  urgentDlq: `${prefix}-${id}-urgent-dlq`,
});
