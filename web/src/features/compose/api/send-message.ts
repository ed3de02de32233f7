/** The two requests of sending: the API's preview (the authority for every count), then the message itself. */
import type { CreateMessageInput } from '@shared/model/schemas';
import { api } from '@/lib/api-client';

export interface ServerPreview {
  deliveries: {
    channelId: string;
    platform: string;
    state: string;
    text: string;
    length: number;
    limit: number;
    unit: string;
    reason?: string;
  }[];
}

export interface CreatedMessage {
  id: string;
  state?: string;
  deliveries: { channelId: string; state: string }[];
}

export const fetchServerPreview = (body: CreateMessageInput) => api<ServerPreview>('/previews', { body });

export const createMessage = (body: CreateMessageInput, idempotencyKey: string) =>
  api<CreatedMessage>('/messages', { body, headers: { 'idempotency-key': idempotencyKey } });
