/**
 * An alert's messages as the console watches them (every delivery with why it is not published
 * yet, its card, the server's clock), and what the second person and the duty officer do with them.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeliveryState, Message } from '@shared/model/schemas';
import { api } from '@/lib/api-client';
import type { MessageView } from '@/lib/message-view';

const SETTLED: DeliveryState[] = ['PUBLISHED', 'FAILED', 'SKIPPED', 'CANCELLED', 'REJECTED'];

const messageQuery = (id: string) => ({
  queryKey: ['alert-message', id],
  queryFn: async () => {
    const message = await api<MessageView>(`/messages/${encodeURIComponent(id)}`);
    return { message, offsetMs: Date.parse(message.asOf) - Date.now() };
  },
  // every second while a channel can still change by itself; a hand-off or an approval waits for people
  refetchInterval: (query: { state: { data?: { message: MessageView } } }) =>
    query.state.data?.message.deliveries.some((delivery) => !SETTLED.includes(delivery.state)) ? 1000 : 10_000,
});

export const useAlertMessage = (id: string) => useQuery(messageQuery(id));

/** The other language messages of the same alert, read beside it. */
export function useSiblings(message: MessageView | undefined) {
  const ids = Object.values(message?.alertMessages ?? {}).filter((id) => id !== message?.id);
  return useQueries({ queries: ids.map((id) => messageQuery(id)) });
}

function useMessageMutation<T, R>(request: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: ['alert-message'] }),
        client.invalidateQueries({ queryKey: ['approvals'] }),
        client.invalidateQueries({ queryKey: ['held'] }),
        client.invalidateQueries({ queryKey: ['me'] }),
      ]);
    },
  });
}

/** Approve every language message of one alert: one decision, one request per message. */
export const useApprove = () =>
  useMessageMutation(async (ids: string[]) => {
    for (const id of ids) await api(`/messages/${encodeURIComponent(id)}/approve`, { method: 'POST' });
  });

export const useReject = () =>
  useMessageMutation(async ({ ids, reason }: { ids: string[]; reason: string }) => {
    for (const id of ids) await api(`/messages/${encodeURIComponent(id)}/reject`, { body: { reason } });
  });

export const useCorrect = () =>
  useMessageMutation(({ id, text }: { id: string; text: string }) =>
    api<{ id: string }>(`/messages/${encodeURIComponent(id)}/correct`, { body: { text } }),
  );

export const useReleaseOne = () =>
  useMessageMutation((id: string) => api(`/messages/${encodeURIComponent(id)}/release`, { method: 'POST' }));

export interface ReleaseAllResult {
  released: string[];
  skipped: { id: string; reason: string }[];
}

export const useReleaseAll = () =>
  useMessageMutation((org: string) =>
    api<ReleaseAllResult>(`/organisations/${encodeURIComponent(org)}/held-messages/release`, { method: 'POST' }),
  );

export type RecentMessage = Pick<
  Message,
  'id' | 'text' | 'createdAt' | 'createdBy' | 'kind' | 'priority' | 'cap' | 'dryRun' | 'language'
> & { status: MessageView['status']; deliveries: { channelId: string; state: DeliveryState }[] };

/** The organisation's recent alerts and emergency messages (of its newest 50 messages), newest first. */
export const useRecentAlerts = () =>
  useQuery({
    queryKey: ['recent-alerts'],
    queryFn: async () =>
      (await api<{ items: RecentMessage[] }>('/messages?limit=50')).items.filter(
        (message) => message.cap !== undefined || message.priority === 'emergency',
      ),
    refetchInterval: 10_000,
  });
