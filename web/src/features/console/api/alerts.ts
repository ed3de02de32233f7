/** Sending an alert from the form: its preview per language and channel, the alert itself, its follow-ups. */
import type { AlertFormInput } from '@shared/alerts/form';
import type { PlatformId } from '@shared/platforms/registry';
import { api } from '@/lib/api-client';

export interface PreviewDelivery {
  channelId: string;
  platform: PlatformId;
  /** what the delivery would be: QUEUED, HANDOFF or SKIPPED (every one of an exercise) */
  state: string;
  text: string;
  length: number;
  limit: number;
  unit: string;
  reason?: string;
  /** an image-only platform gets a generated alert card: its size, format and alt text */
  card?: { width: number; height: number; mime: string; altText: string };
}

export interface PreviewMessage {
  language: string;
  kind: string;
  priority: 'normal' | 'emergency';
  text: string;
  replyTo?: string;
  /** why it is recorded but never published (an exercise, a test) */
  dryRun?: string;
  /** it will wait for a second person with the emergency role */
  approvalRequired?: boolean;
  deliveries: PreviewDelivery[];
}

export interface AlertPreview {
  messages: PreviewMessage[];
}

export interface SentAlert {
  alert: { identifier: string; status: string; msgType: string };
  messages: { id: string; language: string; kind: string; dryRun?: string }[];
  /** a Cancel of an alert Herold never carried: recorded, nothing published */
  acknowledged?: string;
}

export const previewAlert = (form: AlertFormInput, signal?: AbortSignal) =>
  api<AlertPreview>('/alerts?dryRun=true', { body: form, signal });

export const sendAlert = (form: AlertFormInput) => api<SentAlert>('/alerts', { body: form });

export interface FollowUp {
  kind: 'update' | 'all-clear';
  answers: { messageId: string; headline: string };
  form: AlertFormInput;
}

export const fetchFollowUp = (messageId: string, kind: 'update' | 'all-clear') =>
  api<FollowUp>(`/messages/${encodeURIComponent(messageId)}/alert-form?kind=${kind}`);
