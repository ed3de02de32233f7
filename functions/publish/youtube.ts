import { createPublishHandler } from '../../shared/publishing/handler';
import { youtubeClient } from '../../shared/platforms/clients/youtube';

export const handler = createPublishHandler('youtube', youtubeClient);
