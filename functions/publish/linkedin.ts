import { createPublishHandler } from '../../shared/publishing/handler';
import { linkedinClient } from '../../shared/platforms/clients/linkedin';

export const handler = createPublishHandler('linkedin', linkedinClient);
