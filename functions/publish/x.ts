import { createPublishHandler } from '../../shared/publishing/handler';
import { xClient } from '../../shared/platforms/clients/x';

export const handler = createPublishHandler('x', xClient);
