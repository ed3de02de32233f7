import { createPublishHandler } from '../../shared/publishing/handler';

export const handler = createPublishHandler('facebook');
