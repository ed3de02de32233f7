/**
 * One publish job, start to end: claim the delivery, publish through the platform's client (or
 * first look the post up, when an earlier attempt may have reached the platform), record the
 * result, and say whether SQS should offer the job again and when.
 */
import type { Channel, Delivery, DeliveryError, Message, PublishJob } from '../model/schemas';
import {
  NO_LOOKUP_CODE,
  PlatformError,
  UNEXPECTED_ANSWER_CODE,
  type Credentials,
  type PlatformClient,
  type PlatformContext,
  type PublishContext,
  type PublishRequest,
  type PublishResult,
} from '../platforms/client';
import { PLATFORMS, platformBaseUrl, type PlatformId } from '../platforms/registry';
import { safeDetail } from '../platforms/http';
import { flagNeedsReauth } from '../store/channels';
import type { Store } from '../store/client';
import {
  claimDelivery,
  recordFinal,
  recordPending,
  recordPublished,
  saveCheckpoint,
  type Claim,
} from '../store/deliveries';
import { getDelivery, getMessageAndChannel } from '../store/messages';
import { takeQuota, type QuotaDecision } from '../store/quota';
import { pinOrUnpinAfterPublish } from '../alerts/pin';
import { HANDOFF_REASONS } from './handoff-reasons';
import { dueForRefresh } from '../tokens/refresh-on-use';
import { answerBudget, answerRequest, isAnswer, watchPublishedPost } from '../replies/publishing';

export interface PublishDeps {
  store: Store;
  platform: PlatformId;
  client: PlatformClient | undefined;
  credentials: (channel: Channel) => Promise<Credentials>;
  /**
   * Renews a channel's credentials once across all publishers and stores them (shared/tokens/refresh-on-use:
   * renewOnce); `refresh` is the platform's refresh grant. Without it credentials are never renewed.
   */
  renewCredentials?: (
    channel: Channel,
    used: Credentials,
    refresh: (current: Credentials) => Promise<Credentials>,
  ) => Promise<Credentials>;
  /** drops a cached copy of the channel's credentials after the platform refused them */
  forgetCredentials?: (channel: Channel) => void;
  now: () => number;
  /** how long a claim is exclusive; longer than one attempt can take */
  leaseMs: number;
  /** the queue's maxReceiveCount: the last receive before the dead-letter queue */
  maxReceiveCount: number;
  /** per request, before the outcome counts as ambiguous */
  requestTimeoutMs: number;
  fetch?: typeof fetch;
  /** the longest backoff between retries (default 300 s) */
  maxBackoffSeconds?: number;
  /** how soon a delivery in doubt is looked at again (default 5 s; failed lookups wait a multiple of it) */
  verifyAfterSeconds?: number;
  /** share of each channel's publishing budget kept for emergencies (default 0.2) */
  reserveShare?: number;
  /** told when a channel's remaining budget has dropped into its emergency reserve */
  onQuotaBelowReserve?: (channel: Channel) => void;
}

export type JobOutcome =
  | { kind: 'settled'; state: Delivery['state']; errorClass?: string; message?: Message; delivery?: Delivery }
  | { kind: 'ignored'; reason: string }
  /** leave the job on the queue, visible again after this many seconds */
  | { kind: 'retry'; afterSeconds: number; state: Delivery['state']; errorClass: string }
  /** ack this copy, and put a fresh one on the queue with this delay (keeps a rate-limited job out of the DLQ) */
  | { kind: 'requeue'; afterSeconds: number; errorClass: string };

/** The longest wait SQS visibility allows (12 h). */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
/** The longest delay SQS allows on a sent message (15 min); a requeued job that must wait longer waits again. */
const MAX_DELAY_SECONDS = 15 * 60;

/**
 * Leave the job for later. Waiting is not a failed attempt: on the copy's last receive before the
 * dead-letter queue it is put back fresh (with a delay) instead of being left to SQS's redrive.
 */
const later = (lastReceive: boolean, afterSeconds: number, state: Delivery['state'], errorClass: string): JobOutcome =>
  lastReceive
    ? { kind: 'requeue', afterSeconds: Math.min(afterSeconds, MAX_DELAY_SECONDS), errorClass }
    : { kind: 'retry', afterSeconds, state, errorClass };
/** How soon a delivery left in VERIFY is looked at again. */
const VERIFY_AFTER_SECONDS = 5;

export async function processPublishJob(job: PublishJob, receiveCount: number, deps: PublishDeps): Promise<JobOutcome> {
  const attemptStartedAt = deps.now();
  // The reads do not depend on the claim: doing them alongside it saves a round trip per publish.
  const [claimed, { message, channel }] = await Promise.all([
    // the job names its delivery's partitions, where its message has partitions of its own
    claimDelivery(deps.store, job, { now: deps.now(), leaseMs: deps.leaseMs }),
    getMessageAndChannel(deps.store, job.messageId, job.channelId),
  ]);
  if (!claimed.claimed) {
    const current = claimed.current;
    if (!current) return { kind: 'ignored', reason: 'delivery does not exist' };
    const waitsUntil =
      (current.state === 'RETRYING' || current.state === 'VERIFY') && (current.notBefore ?? 0) > deps.now()
        ? current.notBefore
        : undefined;
    if (waitsUntil !== undefined) {
      // An early copy comes back when the wait is over rather than being dropped: the copy that set
      // the wait may be gone (a crash before its visibility was changed), and then only this one is left.
      const afterSeconds = Math.min(Math.ceil((waitsUntil - deps.now()) / 1000), MAX_VISIBILITY_SECONDS);
      return later(receiveCount >= deps.maxReceiveCount, afterSeconds, current.state, 'not-yet');
    }
    return {
      kind: 'ignored',
      reason: `delivery is ${current.state}${current.state === 'PUBLISHING' ? ' under another claim' : ''}`,
    };
  }
  const delivery = claimed.delivery;
  const claim: Claim = {
    messageId: job.messageId,
    channelId: job.channelId,
    deliveryPartitions: delivery.deliveryPartitions,
    version: delivery.version,
  };
  const settle = async (
    state: 'FAILED' | 'SKIPPED' | 'HANDOFF',
    details: { lastError?: DeliveryError; reason?: string; retriesExhausted?: boolean; publishTriedAt?: number },
    message?: Message,
  ): Promise<JobOutcome> => {
    await recordFinal(deps.store, claim, { state, ...details }, deps.now());
    return { kind: 'settled', state, errorClass: details.lastError?.class, message, delivery };
  };

  // An earlier attempt may have reached the platform: look before publishing again.
  const mayExist = delivery.previousState === 'VERIFY' || delivery.previousState === 'PUBLISHING';

  if (!message) return settle('FAILED', { lastError: { class: 'permanent', detail: 'the message no longer exists' } });
  if (!channel || channel.state !== 'active') {
    // SKIPPED would say nothing went out, where an earlier attempt may have posted it: a person looks.
    if (channel && mayExist)
      return settle(
        'HANDOFF',
        {
          lastError: delivery.lastError,
          reason: HANDOFF_REASONS.channelChanged(deps.platform, channel.state),
        },
        message,
      );
    return settle(
      'SKIPPED',
      { reason: channel ? `channel became ${channel.state} before publishing` : 'channel no longer exists' },
      message,
    );
  }
  if (!deps.client) {
    return settle(
      'FAILED',
      { lastError: { class: 'unsupported', detail: `publishing to ${deps.platform} is not supported yet` } },
      message,
    );
  }
  const client = deps.client;
  // an answer to a citizen's reply goes out through the client's replies, where the platform has them
  const answers = isAnswer(message) ? client.replies : undefined;
  if (isAnswer(message) && !answers)
    return settle(
      'FAILED',
      { lastError: { class: 'unsupported', detail: `answering replies on ${deps.platform} is not supported` } },
      message,
    );
  // Attempts that died (their leases taken back by the reconciler) count as lookups in doubt: a delivery
  // that crashes its publisher every time goes to a person rather than round in circles.
  const inDoubt = delivery.lookupsInDoubt ?? 0;
  if (mayExist && inDoubt >= MAX_LOOKUPS_IN_DOUBT) {
    return settle(
      'HANDOFF',
      { lastError: delivery.lastError, reason: HANDOFF_REASONS.stopped(deps.platform, inDoubt) },
      message,
    );
  }
  // Where the attempt is decides what a surprise means (see classifySurprise): until a lookup has
  // answered, nothing may be published; once the irreversible request is out, a post may exist.
  let step: AttemptStep = mayExist ? 'lookup' : 'preparing';
  // Recorded with the attempt's outcome when it got as far as the client's publish (not a lookup, not a wait for quota).
  let publishing = false;
  const publishTriedAt = () => (publishing ? attemptStartedAt : undefined);
  const scope = { claim, delivery, message, channel, receiveCount, deps, settle, publishTriedAt };

  let context: PlatformContext;
  let result: PublishResult | null = null;
  try {
    context = {
      channel,
      credentials: await credentialsForUse(client, channel, deps),
      baseUrl: platformBaseUrl(deps.platform),
      saveCheckpoint: async (checkpoint) => {
        if (!(await saveCheckpoint(deps.store, claim, checkpoint, deps.now()))) {
          throw new PlatformError('ambiguous', 'lost the claim while publishing; another attempt will verify');
        }
      },
      fetch: deps.fetch,
      timeoutMs: deps.requestTimeoutMs,
    };
    const post = await publishRequest(deps.store, message, delivery, deps.platform);
    const answer = answers ? await answerRequest(deps.store, message, post) : undefined;
    const request = answer ?? post;
    if (mayExist)
      result =
        answers && answer ? await answers.findAnswer(answer, context) : await client.findPublished(request, context);
    if (!result) {
      step = 'preparing';
      const budget = answers ? takeAnswerBudget(deps, channel) : takeBudget(deps, channel, delivery.priority);
      // Awaited by clearToPublish; a client that fails before asking must not leave a rejection unheard.
      budget.catch(() => undefined);
      const budgetGranted = async () => {
        const decision = await budget;
        if (!decision.ok) throw new OutOfBudget(decision.retryAtMs);
      };
      const clearToPublish = async () => {
        await budgetGranted();
        step = 'sent';
      };
      if (!client.preparesBeforePublishing) await budgetGranted();
      publishing = true;
      const send =
        answers && answer
          ? (again: PublishContext) => answers.answer(answer, again)
          : (again: PublishContext) => client.publish(request, again);
      result = await publishRenewingCredentials(client, send, { ...context, clearToPublish }, deps, channel, () => {
        step = 'preparing';
      });
    }
  } catch (caught) {
    if (caught instanceof OutOfBudget) return waitForQuota(caught.retryAtMs, { claim, receiveCount, deps });
    const error = classifySurprise(caught, step, deps.platform);
    if (step === 'lookup') return lookupFailed(error, scope);
    return handlePlatformError(error, scope);
  }
  // watched for replies before it is recorded: a post recorded PUBLISHED is never left unwatched
  await watchPublishedPost(deps.store, message, delivery, result, new Date(result.liveAt ?? deps.now()).toISOString());
  await recordPublished(deps.store, claim, result, deps.now(), { publishTriedAt: publishTriedAt() });
  await pinOrUnpinAfterPublish(deps.store, client, context, message, result.remoteId);
  return { kind: 'settled', state: 'PUBLISHED', message, delivery };
}

/**
 * How far an attempt got: looking up a post an earlier attempt may have made, preparing (uploads,
 * containers: nothing anyone can see), or past the irreversible request (clearToPublish was called).
 */
type AttemptStep = 'lookup' | 'preparing' | 'sent';

/** Code of a delivery error that was no PlatformError (a TypeError in a client, say). */
export const UNEXPECTED_ERROR_CODE = 'UNEXPECTED_ERROR';

/**
 * A platform's classified error stands. A surprise (an answer that does not fit the platform's
 * documented shape, or anything a client threw that is no PlatformError) is classed by where it
 * struck: after the irreversible request the post may exist (ambiguous: look before publishing
 * again); during a lookup it is a failed lookup (retryable, counted towards the hand-off); anywhere
 * else nothing was posted and it is retried with backoff.
 */
export function classifySurprise(error: unknown, step: AttemptStep, platform: PlatformId): PlatformError {
  if (error instanceof PlatformError && error.code !== UNEXPECTED_ANSWER_CODE) return error;
  const errorClass = step === 'sent' ? 'ambiguous' : 'retryable';
  if (error instanceof PlatformError)
    return new PlatformError(errorClass, error.message, { code: UNEXPECTED_ANSWER_CODE, cause: error });
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new PlatformError(errorClass, `${PLATFORMS[platform].displayName} client failed unexpectedly (${what})`, {
    code: UNEXPECTED_ERROR_CODE,
    cause: error,
  });
}

/**
 * The lookup of a post an earlier attempt may have made could not answer. Where no lookup ever can
 * (Telegram), where the platform refused the lookup for good (a permanent error, refused credentials),
 * or after MAX_LOOKUPS_IN_DOUBT lookups in a row that failed, a person decides: publishing again could
 * post twice, waiting for ever helps no one, and FAILED would let a retry publish without looking.
 * Until then the delivery stays in VERIFY, so the next attempt looks again before it may publish.
 * Waiting out a rate limit does not count.
 */
async function lookupFailed(error: PlatformError, scope: AttemptScope): Promise<JobOutcome> {
  const { delivery, message, channel, deps, settle } = scope;
  const lastError = deliveryError(error);
  if (error.errorClass === 'ambiguous' && error.code === NO_LOOKUP_CODE)
    return settle('HANDOFF', { lastError, reason: HANDOFF_REASONS.unverifiable(deps.platform) }, message);
  if (error.errorClass === 'auth') {
    await credentialsRefused(deps, channel);
    return settle('HANDOFF', { lastError, reason: HANDOFF_REASONS.lookupRefusedCredentials(deps.platform) }, message);
  }
  if (error.errorClass === 'permanent' || error.errorClass === 'unsupported')
    return settle('HANDOFF', { lastError, reason: HANDOFF_REASONS.lookupRefused(deps.platform) }, message);
  const inDoubt = error.errorClass === 'ambiguous' || error.errorClass === 'retryable';
  const lookupsInDoubt = (delivery.lookupsInDoubt ?? 0) + (inDoubt ? 1 : 0);
  if (inDoubt && lookupsInDoubt >= MAX_LOOKUPS_IN_DOUBT)
    return settle('HANDOFF', { lastError, reason: HANDOFF_REASONS.unresolved(deps.platform, lookupsInDoubt) }, message);
  return handlePlatformError(error, { ...scope, lookupsInDoubt, verifying: true });
}

/** The platform refused the channel's credentials: drop the cached copy and ask for a reconnection. */
async function credentialsRefused(deps: PublishDeps, channel: Channel): Promise<void> {
  // whoever reconnects the channel stores new credentials: the next job reads them, not this copy
  deps.forgetCredentials?.(channel);
  await flagNeedsReauth(deps.store, channel.id);
}

const deliveryError = (error: PlatformError): DeliveryError => ({
  class: error.errorClass,
  detail: safeDetail(error.message),
  ...(error.code ? { code: error.code } : {}),
});

interface AttemptScope {
  claim: Claim;
  delivery: Delivery;
  message: Message;
  channel: Channel;
  receiveCount: number;
  deps: PublishDeps;
  settle: (
    state: 'FAILED' | 'HANDOFF',
    details: { lastError?: DeliveryError; retriesExhausted?: boolean; reason?: string; publishTriedAt?: number },
    message?: Message,
  ) => Promise<JobOutcome>;
  /** the attempt's start when it tried to publish, for Delivery.publishTriedAt */
  publishTriedAt: () => number | undefined;
}

async function handlePlatformError(
  error: PlatformError,
  scope: AttemptScope & {
    /** consecutive lookups that ended in doubt, this one included */
    lookupsInDoubt?: number;
    /** the error came from the lookup of a post that may exist: the delivery stays in VERIFY */
    verifying?: boolean;
  },
): Promise<JobOutcome> {
  const { claim, delivery, message, channel, receiveCount, deps, settle } = scope;
  const lastError = deliveryError(error);
  const tried = { publishTriedAt: scope.publishTriedAt() };
  const lastReceive = receiveCount >= deps.maxReceiveCount;
  const waitingState = scope.verifying ? 'VERIFY' : 'RETRYING';
  const doubt = scope.lookupsInDoubt ? { lookupsInDoubt: scope.lookupsInDoubt } : {};
  switch (error.errorClass) {
    case 'permanent':
    case 'unsupported':
      return settle('FAILED', { lastError, ...tried }, message);
    case 'auth':
      await credentialsRefused(deps, channel);
      return settle('FAILED', { lastError, ...tried }, message);
    case 'rate-limited': {
      const afterSeconds = Math.min(Math.max(error.retryAfterSeconds ?? 60, 1), MAX_VISIBILITY_SECONDS);
      await recordPending(
        deps.store,
        claim,
        {
          state: waitingState,
          lastError,
          waitingFor: 'rate-limit',
          ...doubt,
          ...tried,
          nextAttemptAt: deps.now() + afterSeconds * 1000,
        },
        deps.now(),
      );
      return later(lastReceive, afterSeconds, waitingState, 'rate-limited');
    }
    case 'ambiguous': {
      const afterSeconds = deps.verifyAfterSeconds ?? VERIFY_AFTER_SECONDS;
      await recordPending(
        deps.store,
        claim,
        { state: 'VERIFY', lastError, ...doubt, ...tried, nextAttemptAt: deps.now() + afterSeconds * 1000 },
        deps.now(),
      );
      return later(lastReceive, afterSeconds, 'VERIFY', 'ambiguous');
    }
    case 'retryable': {
      // A post that may exist is never given up on as FAILED (a redrive would publish without looking):
      // the lookup is offered again, and after MAX_LOOKUPS_IN_DOUBT failures a person takes over.
      if (lastReceive && !scope.verifying) {
        // The job goes to the dead-letter queue now; the delivery says why, and a redrive may claim it again.
        await settle(
          'FAILED',
          {
            lastError: { ...lastError, detail: `gave up after ${delivery.attempts} attempts: ${lastError.detail}` },
            retriesExhausted: true,
            ...tried,
          },
          message,
        );
        return { kind: 'retry', afterSeconds: 0, state: 'FAILED', errorClass: 'retryable' };
      }
      // A failed lookup comes back after the verify delay times the lookups so far (5, 10, 15, 20 s):
      // the platform gets a minute to recover, and the hand-off comes within minutes, whatever the
      // attempts before; the attempts' own backoff could stretch that to half an hour.
      const afterSeconds = scope.verifying
        ? (deps.verifyAfterSeconds ?? VERIFY_AFTER_SECONDS) * Math.max(1, scope.lookupsInDoubt ?? 1)
        : backoffSeconds(delivery.attempts, Math.random, deps.maxBackoffSeconds);
      await recordPending(
        deps.store,
        claim,
        {
          state: waitingState,
          lastError,
          waitingFor: 'retry',
          ...doubt,
          ...tried,
          nextAttemptAt: deps.now() + afterSeconds * 1000,
        },
        deps.now(),
      );
      return later(lastReceive, afterSeconds, waitingState, 'retryable');
    }
  }
}

/** The channel's budget for this window is used up: the post waits for the next one. */
class OutOfBudget extends Error {
  constructor(readonly retryAtMs: number) {
    super('publishing budget used up');
  }
}

/** The channel's budget (its own, or the platform's default); platforms without one are unlimited here. */
async function takeBudget(
  deps: PublishDeps,
  channel: Channel,
  priority: Delivery['priority'],
): Promise<QuotaDecision | { ok: true }> {
  const rule = channel.quota ?? PLATFORMS[deps.platform].quota;
  if (!rule) return { ok: true };
  const decision = await takeQuota(deps.store, channel.id, rule, priority, {
    now: deps.now(),
    reserveShare: deps.reserveShare,
  });
  if (decision.ok && decision.limit - decision.used < decision.reserve) deps.onQuotaBelowReserve?.(channel);
  return decision;
}

/** An answer's budget: the platform's reply limit or the channel's publishing budget, always below the emergency reserve. */
async function takeAnswerBudget(deps: PublishDeps, channel: Channel): Promise<QuotaDecision | { ok: true }> {
  const { rule, key } = answerBudget(channel);
  if (!rule) return { ok: true };
  return takeQuota(deps.store, key, rule, 'normal', { now: deps.now(), reserveShare: deps.reserveShare });
}

/** Out of budget: wait (not fail) until the window turns; never counts towards the dead-letter queue. */
async function waitForQuota(
  retryAtMs: number,
  scope: { claim: Claim; receiveCount: number; deps: PublishDeps },
): Promise<JobOutcome> {
  const { claim, receiveCount, deps } = scope;
  const now = deps.now();
  const afterSeconds = Math.min(Math.max(Math.ceil((retryAtMs - now) / 1000), 1), MAX_VISIBILITY_SECONDS);
  await recordPending(
    deps.store,
    claim,
    {
      state: 'RETRYING',
      lastError: {
        class: 'rate-limited',
        code: 'QUOTA',
        detail: 'publishing budget for routine posts is used up; waiting for the next window',
      },
      waitingFor: 'quota',
      nextAttemptAt: retryAtMs,
    },
    now,
  );
  return later(receiveCount >= deps.maxReceiveCount, afterSeconds, 'RETRYING', 'quota');
}

/**
 * The channel's credentials, renewed first when their access token has expired or is about to
 * (dueForRefresh) and the platform has a refresh grant: a lookup or publish never starts with a
 * token the platform is bound to refuse.
 */
async function credentialsForUse(client: PlatformClient, channel: Channel, deps: PublishDeps): Promise<Credentials> {
  const credentials = await deps.credentials(channel);
  const { refreshCredentials } = client;
  if (!refreshCredentials || !deps.renewCredentials || !dueForRefresh(credentials, deps.now())) return credentials;
  return deps.renewCredentials(channel, credentials, (current) =>
    refreshCredentials({
      channel,
      credentials: current,
      baseUrl: platformBaseUrl(deps.platform),
      saveCheckpoint: async () => undefined,
      fetch: deps.fetch,
      timeoutMs: deps.requestTimeoutMs,
    }),
  );
}

/**
 * Publish; when the platform refuses credentials that can be renewed (an access token revoked or
 * expired without a recorded expiry), renew and store them, then try exactly once more. The refused
 * request created nothing, so the second try cannot duplicate a post.
 */
async function publishRenewingCredentials(
  client: PlatformClient,
  send: (context: PublishContext) => Promise<PublishResult>,
  context: PublishContext,
  deps: PublishDeps,
  channel: Channel,
  /** told before renewing: the refused request created nothing, so the attempt is preparing again */
  beforeRenewal: () => void,
): Promise<PublishResult> {
  try {
    return await send(context);
  } catch (error) {
    const { refreshCredentials } = client;
    if (!(error instanceof PlatformError && error.errorClass === 'auth' && refreshCredentials && deps.renewCredentials))
      throw error;
    beforeRenewal();
    const renewed = await deps.renewCredentials(channel, context.credentials, (current) =>
      refreshCredentials({ ...context, credentials: current }),
    );
    return send({ ...context, credentials: renewed });
  }
}

/** Exponential backoff with jitter: 2, 4, 8 … s (at most 5 min), each shortened at random by up to half. */
export function backoffSeconds(attempt: number, random = Math.random, maxSeconds = 300): number {
  const ceiling = Math.min(maxSeconds, 2 ** Math.max(1, attempt));
  return Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * random()));
}

async function publishRequest(
  store: Store,
  message: Message,
  delivery: Delivery,
  platform: PlatformId,
): Promise<PublishRequest> {
  const replyTo = message.replyTo ? await getDelivery(store, message.replyTo, delivery.channelId) : undefined;
  return {
    idempotencyKey: `${message.id}:${delivery.channelId}`,
    marker: delivery.renderedText.slice(0, 100),
    text: delivery.renderedText,
    link: message.link,
    // a delivery to an image-only platform posts its generated alert card
    media:
      delivery.card?.state === 'ready' && delivery.card.url
        ? [{ url: delivery.card.url, altText: delivery.card.altText, mime: delivery.card.mime }]
        : message.media,
    ...(replyTo?.remoteId && platformSupportsReplies(platform)
      ? { replyTo: { remoteId: replyTo.remoteId, threadRootId: replyTo.threadRootId ?? replyTo.remoteId } }
      : {}),
    checkpoint: delivery.checkpoint ?? {},
  };
}

const platformSupportsReplies = (platform: PlatformId) => PLATFORMS[platform].replies;

/** Lookups in a row that end in doubt before a delivery is handed to a person. */
export const MAX_LOOKUPS_IN_DOUBT = 5;
