/** A message with every delivery, polled while anything is still under way; retry and confirm one delivery. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeliveryState } from '@shared/model/schemas';
import { api } from '@/lib/api-client';
import type { MessageView } from '@/lib/message-view';

const SETTLED: DeliveryState[] = ['PUBLISHED', 'FAILED', 'SKIPPED', 'CANCELLED'];

export const useMessage = (id: string) =>
  useQuery({
    queryKey: ['message', id],
    queryFn: () => api<MessageView>(`/messages/${encodeURIComponent(id)}`),
    // live without reloading: every 1.5 s while a delivery can still change by itself
    refetchInterval: (query) =>
      query.state.data?.deliveries.some((delivery) => !SETTLED.includes(delivery.state) && delivery.state !== 'HANDOFF')
        ? 1500
        : 10_000,
  });

export function useRetry(messageId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (channelId: string) =>
      api(`/messages/${encodeURIComponent(messageId)}/deliveries/${encodeURIComponent(channelId)}/retry`, {
        method: 'POST',
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ['message', messageId] }),
  });
}

export function useConfirmHandoff(messageId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ channelId, remoteUrl }: { channelId: string; remoteUrl?: string }) =>
      api(`/messages/${encodeURIComponent(messageId)}/deliveries/${encodeURIComponent(channelId)}/confirm`, {
        method: 'POST',
        body: remoteUrl ? { remoteUrl } : {},
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ['message', messageId] }),
  });
}
