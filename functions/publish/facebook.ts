import { createPublishHandler } from '../../shared/publishing/handler';
import { facebookClient } from '../../shared/platforms/clients/facebook';

export const handler = createPublishHandler('facebook', facebookClient);
