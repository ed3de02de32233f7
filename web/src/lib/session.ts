/** Queries every screen shares: the caller with the organisation's settings, and its channels. */
import { useQuery } from '@tanstack/react-query';
import type { Channel, Role } from '@shared/model/schemas';
import type { PlatformId } from '@shared/platforms/registry';
import { api } from './api-client';

export interface Me {
  sub: string;
  org: string;
  roles: Role[];
  /** the platforms this deployment publishes to (herold:platforms) */
  platforms?: PlatformId[];
  organisation: { timeZone: string; hold: { active: boolean; reason?: string } };
}

export type ListedChannel = Omit<Channel, 'credentialsRef'>;

export const useMe = () => useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/me'), staleTime: 60_000 });

export const useChannels = () =>
  useQuery({
    queryKey: ['channels'],
    queryFn: async () => (await api<{ items: ListedChannel[] }>('/channels')).items,
    staleTime: 30_000,
  });
