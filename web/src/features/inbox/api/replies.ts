/** The replies inbox's data: the organisation's replies (GET /replies) and what an editor does with one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInbox } from '@shared/model/schemas';
import type { PlatformId } from '@shared/platforms/registry';
import type { NetiquetteRule } from '@shared/replies/settings';
import { api } from '@/lib/api-client';

export interface Reply {
  id: string;
  platform: PlatformId;
  messageId: string;
  channelId: string;
  text: string;
  author: { handle?: string; name?: string };
  repliedAt: string;
  nested: boolean;
  question: boolean;
  emergency: boolean;
  hidden: boolean;
  hiddenBy?: { by: string; byName?: string; at: string; reason: string };
  pending?: { action: 'hide' | 'unhide'; at: string };
  moderationError?: { detail: string };
  answer?: { messageId: string; byName?: string; at: string };
  canHide: boolean;
}

export interface Inbox {
  items: Reply[];
  posts: { messageId: string; excerpt: string; createdAt: string }[];
  next?: string;
  retentionDays: number;
  netiquette: NetiquetteRule[];
  platforms: { platform: PlatformId; collect: string; unavailable?: 'no-comments-api' | 'paid-reads'; hide: boolean }[];
  channels: { id: string; platform: PlatformId; name?: string; state: string; inbox?: ChannelInbox }[];
}

export interface InboxFilter {
  platform?: PlatformId;
  unanswered: boolean;
}

export const useInbox = (filter: InboxFilter) =>
  useQuery({
    queryKey: ['replies', filter],
    queryFn: () => {
      const query = new URLSearchParams({ limit: '200' });
      if (filter.platform) query.set('platform', filter.platform);
      if (filter.unanswered) query.set('unanswered', 'true');
      return api<Inbox>(`/replies?${query}`);
    },
    refetchInterval: 5_000,
  });

function useReplyAction<T>(request: (input: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => client.invalidateQueries({ queryKey: ['replies'] }),
  });
}

const path = (id: string, action: string) => `/replies/${encodeURIComponent(id)}/${action}`;

export const useAnswer = () =>
  useReplyAction(({ id, text }: { id: string; text: string }) =>
    api(path(id, 'answer'), { method: 'POST', body: { text } }),
  );
export const useHide = () =>
  useReplyAction(({ id, reason }: { id: string; reason: string }) =>
    api(path(id, 'hide'), { method: 'POST', body: { reason } }),
  );
export const useUnhide = () => useReplyAction((id: string) => api(path(id, 'unhide'), { method: 'POST', body: {} }));
