/**
 * Meta's webhooks, parsed with zod (a body of another shape is refused with 400, nothing stored):
 * - Page `feed` (object `page`): `item: "comment"` with `verb` add, edited, remove, hide, unhide;
 *   the Page's own comments (`from.id` is the Page, the entry's id) are left out;
 * - Instagram `comments` (object `instagram`): a new comment or reply; the account's own left out;
 * - Threads `replies` (topic `moderate`): `values` is one object, not a list; a reply by the
 *   root post's owner is the account's own.
 * Other fields and items (posts, reactions, mentions) are acknowledged and ignored.
 */
import * as z from 'zod';
import { isoTime } from '../../platforms/clients/graph';
import type { PushedEvent } from './events';

const FeedComment = z.looseObject({
  item: z.literal('comment'),
  verb: z.string(),
  comment_id: z.string(),
  post_id: z.string(),
  parent_id: z.string().optional(),
  from: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
  message: z.string().optional(),
  created_time: z.union([z.number(), z.string()]).optional(),
});
const FeedChange = z.looseObject({ field: z.string(), value: z.looseObject({ item: z.string().optional() }) });
const InstagramComment = z.looseObject({
  id: z.string(),
  text: z.string().optional(),
  from: z.looseObject({ id: z.string(), username: z.string().optional() }).optional(),
  media: z.looseObject({ id: z.string() }),
  parent_id: z.string().optional(),
});
const GraphWebhook = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      time: z.number().optional(),
      changes: z.array(FeedChange).default([]),
    }),
  ),
});

export const ThreadsWebhook = z.looseObject({
  values: z.looseObject({
    field: z.string(),
    value: z.looseObject({
      id: z.string().optional(),
      username: z.string().optional(),
      text: z.string().optional(),
      timestamp: z.string().optional(),
      replied_to: z.looseObject({ id: z.string() }).optional(),
      root_post: z.looseObject({ id: z.string(), username: z.string().optional() }).optional(),
    }),
  }),
});

/** The events of a Page or Instagram webhook (the one Facebook app sends both). */
export function graphWebhookEvents(body: unknown): PushedEvent[] {
  const payload = GraphWebhook.parse(body);
  const events: PushedEvent[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (payload.object === 'page' && change.field === 'feed' && change.value.item === 'comment') {
        const value = FeedComment.parse(change.value);
        const post = { platform: 'facebook' as const, remoteIds: [value.post_id] };
        if (value.verb === 'remove') events.push({ kind: 'removed', post, remoteId: value.comment_id });
        else if (value.verb === 'hide' || value.verb === 'unhide')
          events.push({ kind: 'hidden', post, remoteId: value.comment_id, hidden: value.verb === 'hide' });
        else if ((value.verb === 'add' || value.verb === 'edited') && value.from?.id !== entry.id)
          events.push({
            kind: 'reply',
            post,
            reply: {
              remoteId: value.comment_id,
              parentRemoteId: value.parent_id ?? value.post_id,
              // a reply names its top-level comment as parent: Facebook threads one level deep
              threadRemoteId: value.parent_id && value.parent_id !== value.post_id ? value.parent_id : value.comment_id,
              text: value.message ?? '',
              author: value.from?.name ? { name: value.from.name } : {},
              repliedAt: isoTime(value.created_time ?? entry.time),
              hidden: false,
            },
          });
      }
      if (payload.object === 'instagram' && change.field === 'comments') {
        const value = InstagramComment.parse(change.value);
        if (value.from?.id === entry.id) continue;
        events.push({
          kind: 'reply',
          post: { platform: 'instagram', remoteIds: [value.media.id] },
          reply: {
            remoteId: value.id,
            parentRemoteId: value.parent_id ?? value.media.id,
            threadRemoteId: value.parent_id ?? value.id,
            text: value.text ?? '',
            author: value.from?.username ? { handle: value.from.username } : {},
            repliedAt: isoTime(entry.time),
            hidden: false,
          },
        });
      }
    }
  }
  return events;
}

/** The events of a Threads webhook: one reply per request. */
export function threadsWebhookEvents(body: unknown): PushedEvent[] {
  const { field, value } = ThreadsWebhook.parse(body).values;
  if (field !== 'replies' || !value.id || !value.root_post) return [];
  if (value.username !== undefined && value.username === value.root_post.username) return [];
  const parent = value.replied_to?.id ?? value.root_post.id;
  return [
    {
      kind: 'reply',
      // the reply may answer one of Herold's thread updates, itself a post of its own message
      post: { platform: 'threads', remoteIds: [...new Set([parent, value.root_post.id])] },
      reply: {
        remoteId: value.id,
        parentRemoteId: parent,
        ...(parent === value.root_post.id ? { threadRemoteId: value.id } : {}),
        text: value.text ?? '',
        author: value.username ? { handle: value.username } : {},
        repliedAt: isoTime(value.timestamp),
        hidden: false,
      },
    },
  ];
}
