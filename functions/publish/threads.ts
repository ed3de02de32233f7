import { createPublishHandler } from '../../shared/publishing/handler';
import { threadsClient } from '../../shared/platforms/clients/threads';

export const handler = createPublishHandler('threads', threadsClient);
