/**
 * Asking for an organisation's public directory to be built again: after every publish, every
 * channel change and every change of the organisation's settings. The request is a small job on
 * the directory queue; the builder takes bursts together (see shared/directory/build.ts), so a
 * crisis that publishes to eleven channels at once builds the pages once or twice, not eleven times.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { OrgIdSchema } from '../model/schemas';
import { logger } from '../observability/powertools';
import { sqs } from '../queue/jobs';

export const DIRECTORY_ENV = {
  /** the queue build requests go to; unset: no directory is built (a stack without one) */
  queue: 'HEROLD_DIRECTORY_QUEUE',
  /** AWS: the bucket the files are written to */
  bucket: 'HEROLD_DIRECTORY_BUCKET',
  /** local stack: the folder the files are written to instead */
  folder: 'HEROLD_DIRECTORY_DIR',
  /** the public base URL of the directory (CloudFront, or the local static server) */
  url: 'HEROLD_DIRECTORY_URL',
} as const;

export const DirectoryJobSchema = z.object({
  type: z.literal('build-directory'),
  org: OrgIdSchema,
  /** when the change happened: a build that started later already shows it */
  requestedAt: z.iso.datetime(),
});
export type DirectoryJob = z.infer<typeof DirectoryJobSchema>;

/** Never throws: the change it follows has happened, and the next change asks again. */
export async function requestDirectoryBuild(org: string, now = new Date()): Promise<void> {
  const queueUrl = process.env[DIRECTORY_ENV.queue];
  if (!queueUrl) return;
  const job: DirectoryJob = { type: 'build-directory', org, requestedAt: now.toISOString() };
  try {
    await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }));
  } catch (error) {
    logger.error('directory build could not be requested', { org, error: error as Error });
  }
}

/** The public address of an organisation's directory, when the stack has one. */
export const directoryUrl = (org: string, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const base = env[DIRECTORY_ENV.url];
  return base ? `${base.replace(/\/+$/, '')}/${org}/` : undefined;
};
