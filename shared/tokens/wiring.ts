/** The token health check wired to the table, the credential store, the platforms and CloudWatch. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { platformBaseUrl } from '../platforms/registry';
import { channelCredentials, saveCredentials } from '../publishing/credentials';
import type { Store } from '../store/client';
import { recordTokenCheck } from './channel-record';
import { platformRenewers, type TokenHealthDeps } from './health';
import { channelRenewal } from './refresh-lease';
import { renewOnce } from './refresh-on-use';

/** A token call that takes longer than this is treated as not answered (a retry comes the next day). */
const TOKEN_CALL_TIMEOUT_MS = 10_000;

export function tokenHealthDeps(options: {
  store: Store;
  metrics: Metrics;
  logger: Logger;
  now?: Date;
}): TokenHealthDeps {
  const { store, metrics, logger } = options;
  return {
    loadCredentials: channelCredentials,
    saveCredentials,
    renewOnce: (channel, used, refresh) =>
      renewOnce(channel.id, used, refresh, channelRenewal(store, channel, { requestTimeoutMs: TOKEN_CALL_TIMEOUT_MS })),
    recordCheck: (channelId, record) => recordTokenCheck(store, channelId, record),
    context: (channel, credentials) => ({
      channel,
      credentials,
      baseUrl: platformBaseUrl(channel.platform),
      saveCheckpoint: async () => undefined,
      timeoutMs: TOKEN_CALL_TIMEOUT_MS,
    }),
    renewers: platformRenewers,
    // a record of its own: EMF gives every metric in a record the same dimensions; the alarm sums the day's
    emitExpiringSoon: (platform) =>
      metrics.singleMetric().addDimensions({ platform }).addMetric('TokenExpiringSoon', MetricUnit.Count, 1),
    warn: (message, attributes) => logger.warn(message, attributes),
    now: options.now ?? new Date(),
  };
}
