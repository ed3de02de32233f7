/**
 * What `GET /messages/{id}` answers, typed from the server's own view code rather than copied: a
 * field the API adds or renames shows up here at compile time. JSON carries these as they are (the
 * views hold strings and numbers only).
 */
import type { getMessageForPrincipal } from '@shared/messages/read';

export type MessageView = Awaited<ReturnType<typeof getMessageForPrincipal>>;
export type DeliveryView = MessageView['deliveries'][number];
