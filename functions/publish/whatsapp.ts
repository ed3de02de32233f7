// WhatsApp Channels has no posting API: deliveries are HANDOFF at ingest and confirmed by a person.
// The function still exists (one per platform) for its queues: any job that reaches it settles
// FAILED "unsupported" rather than pretending to publish.
import { createPublishHandler } from '../../shared/publishing/handler';

export const handler = createPublishHandler('whatsapp');
