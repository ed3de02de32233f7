import { createPublishHandler } from '../../shared/publishing/handler';
import { telegramClient } from '../../shared/platforms/clients/telegram';

export const handler = createPublishHandler('telegram', telegramClient);
