/** One logger and one metrics object per function, named by Powertools' own environment settings. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herold' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Herold', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herold' });
