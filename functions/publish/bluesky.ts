import { createPublishHandler } from '../../shared/publishing/handler';
import { blueskyClient } from '../../shared/platforms/clients/bluesky';

export const handler = createPublishHandler('bluesky', blueskyClient);
