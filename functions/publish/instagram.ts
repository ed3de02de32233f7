import { createPublishHandler } from '../../shared/publishing/handler';
import { instagramClient } from '../../shared/platforms/clients/instagram';

export const handler = createPublishHandler('instagram', instagramClient);
