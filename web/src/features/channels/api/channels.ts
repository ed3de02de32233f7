/**
 * The organisation's channels with their health, and what an administrator does with them: add one,
 * connect its account (the OAuth platforms answer a sign-in address to send the browser to), freeze,
 * unfreeze or retire it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Channel, ChannelConnection, ChannelState, LastPublish } from '@shared/model/schemas';
import type { PlatformId } from '@shared/platforms/registry';
import { api } from '@/lib/api-client';

/** A channel as GET /channels shows it (shared/channels/read.ts): never its credentials reference. */
export type ChannelView = Omit<Channel, 'credentialsRef' | 'connection'> & {
  connection: ChannelConnection;
  tokenExpiresSoon: boolean;
  followers?: { count: number; date: string };
  lastPublish?: LastPublish;
};

export type ConnectAnswer =
  { kind: 'oauth'; authorizationUrl: string; expiresAt: string } | { kind: 'direct'; channel: ChannelView };

export interface Retirement {
  revocation: 'revoked' | 'not-offered' | 'failed' | 'nothing-stored';
  secretDeleted: boolean;
  detail?: string;
}

export const CHANNELS_KEY = ['channels'] as const;

export const useChannelViews = () =>
  useQuery({
    queryKey: CHANNELS_KEY,
    queryFn: async () => (await api<{ items: ChannelView[] }>('/channels')).items,
    refetchInterval: 30_000,
  });

function useChannelMutation<I, O>(request: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSettled: () => client.invalidateQueries({ queryKey: CHANNELS_KEY }),
  });
}

export interface NewChannel {
  platform: PlatformId;
  handle: string;
  displayName: string;
  profileUrl?: string;
}

export const useCreateChannel = () =>
  useChannelMutation((input: NewChannel) => api<ChannelView>('/channels', { method: 'POST', body: input }));

export const useConnect = () =>
  useChannelMutation(({ id, body }: { id: string; body: Record<string, string> }) =>
    api<ConnectAnswer>(`/channels/${encodeURIComponent(id)}/connect`, { method: 'POST', body }),
  );

export const useChangeState = () =>
  useChannelMutation(({ id, state, reason }: { id: string; state: ChannelState; reason?: string }) =>
    api<ChannelView & { credentials?: Retirement }>(`/channels/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: { state, ...(reason ? { reason } : {}) },
    }),
  );
