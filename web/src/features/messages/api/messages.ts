/** The organisation's messages, newest first or by filter, and what a person may do with a waiting one. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { Message } from '@shared/model/schemas';
import { api } from '@/lib/api-client';
import type { SummarisedMessage } from '@/lib/message-status';

export const FILTERS = ['all', 'SCHEDULED', 'HELD', 'AWAITING_APPROVAL', 'FAILED', 'HANDOFF'] as const;
export type Filter = (typeof FILTERS)[number];

export type ListedMessage = Message &
  SummarisedMessage & { deliveries: { channelId: string; platform: string; state: string }[] };

interface Page {
  items: ListedMessage[];
  next?: string;
}

export const useMessages = (filter: Filter) =>
  useInfiniteQuery({
    queryKey: ['messages', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: '20' });
      if (filter !== 'all') query.set('state', filter);
      if (pageParam) query.set('cursor', pageParam);
      return api<Page>(`/messages?${query}`);
    },
    getNextPageParam: (page) => page.next,
    refetchInterval: 10_000,
  });

function useMessageAction<T>(request: (input: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => client.invalidateQueries({ queryKey: ['messages'] }),
  });
}

export const useCancel = () =>
  useMessageAction((id: string) => api(`/messages/${encodeURIComponent(id)}`, { method: 'DELETE' }));
export const useRelease = () =>
  useMessageAction((id: string) => api(`/messages/${encodeURIComponent(id)}/release`, { method: 'POST' }));
export const useReschedule = () =>
  useMessageAction(({ id, scheduledAt, text }: { id: string; scheduledAt?: string; text?: string }) =>
    api(`/messages/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: { ...(scheduledAt ? { scheduledAt } : {}), ...(text ? { text } : {}) },
    }),
  );
