/**
 * What must be seen on every page of the workspace, polled by the layout (components/layout/
 * emergency-bar.tsx) and read by the emergency console from the same cache:
 *  - alerts waiting for a second person, every 3 s, so one shows within 5 s wherever the second
 *    person is (the API reads an index of waiting messages, so the poll costs next to nothing);
 *  - NINA warnings that left the feed without an all-clear (the feed is read once a minute);
 *  - the crisis hold, and the routine messages it keeps back.
 */
import { useQuery } from '@tanstack/react-query';
import type { Message } from '@shared/model/schemas';
import type { PlatformId } from '@shared/platforms/registry';
import { api } from './api-client';
import type { Me } from './session';

export const APPROVAL_POLL_MS = 3000;
const VANISHED_POLL_MS = 20_000;
const HOLD_POLL_MS = 15_000;

export type WaitingMessage = Pick<
  Message,
  'id' | 'text' | 'createdAt' | 'createdBy' | 'kind' | 'language' | 'severity' | 'cap' | 'priority'
> & { deliveries: { channelId: string; platform: PlatformId; state: string }[] };

export interface ApprovalQueue {
  items: WaitingMessage[];
  /** server clock − this clock, so waiting times are the server's */
  offsetMs: number;
}

export const useApprovalQueue = (enabled: boolean) =>
  useQuery({
    queryKey: ['approvals'],
    queryFn: async (): Promise<ApprovalQueue> => {
      const page = await api<{ asOf: string; items: WaitingMessage[] }>('/messages?state=AWAITING_APPROVAL&limit=100');
      return { items: page.items, offsetMs: Date.parse(page.asOf) - Date.now() };
    },
    enabled,
    refetchInterval: APPROVAL_POLL_MS,
    // a second tab of the workspace keeps watching too
    refetchIntervalInBackground: true,
  });

/** One alert waiting for approval: its messages (one per language), the first of them naming it. */
export interface WaitingAlert {
  key: string;
  first: WaitingMessage;
  messages: WaitingMessage[];
}

/** The messages of one CAP alert (German and English) are one decision; other messages stand alone. */
export function groupByAlert(items: readonly WaitingMessage[]): WaitingAlert[] {
  const groups = new Map<string, WaitingMessage[]>();
  for (const item of items) {
    const key = item.cap ? `${item.cap.sender}|${item.cap.identifier}|${item.cap.sent}` : item.id;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups].map(([key, messages]) => ({ key, first: messages[0]!, messages }));
}

/** The headline of a message: the alert's, else its first line without an exercise marker. */
export const headlineOf = (message: Pick<Message, 'text' | 'cap'>): string =>
  message.cap?.headline ?? message.text.replace(/^\+\+\+ [A-ZÜ]+ \+\+\+ /, '').split('\n')[0] ?? '';

export interface VanishedWarning {
  warningId: string;
  headline: string;
  messageId: string;
  vanishedAt: string;
  open: boolean;
  allClear?: { messageId: string; at: string };
}

export const useVanishedWarnings = (enabled: boolean) =>
  useQuery({
    queryKey: ['vanished'],
    queryFn: async () => (await api<{ items: VanishedWarning[] }>('/alerts/vanished')).items,
    enabled,
    refetchInterval: VANISHED_POLL_MS,
    refetchIntervalInBackground: true,
  });

/** The caller and the crisis hold, kept current while the workspace is open (same cache as useMe). */
export const useMeWatched = () =>
  useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/me'), staleTime: 60_000, refetchInterval: HOLD_POLL_MS });

export interface HeldMessage {
  id: string;
  text: string;
  createdAt: string;
  createdBy: string;
}

export const useHeldMessages = (enabled: boolean) =>
  useQuery({
    queryKey: ['held'],
    queryFn: async () => (await api<{ items: HeldMessage[] }>('/messages?state=HELD&limit=100')).items,
    enabled,
    refetchInterval: HOLD_POLL_MS,
  });
