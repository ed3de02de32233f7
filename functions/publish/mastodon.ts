import { createPublishHandler } from '../../shared/publishing/handler';
import { mastodonClient } from '../../shared/platforms/clients/mastodon';

export const handler = createPublishHandler('mastodon', mastodonClient);
