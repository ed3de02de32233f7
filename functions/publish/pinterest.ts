import { createPublishHandler } from '../../shared/publishing/handler';
import { pinterestClient } from '../../shared/platforms/clients/pinterest';

export const handler = createPublishHandler('pinterest', pinterestClient);
