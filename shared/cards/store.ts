/**
 * Where rendered cards are kept, at a URL the platforms fetch them from (Instagram and Pinterest
 * download the image themselves; a post may wait a day for Instagram's quota, so the URL must work
 * for days, not minutes). In AWS: an S3 bucket behind CloudFront (`HEROLD_CARD_BUCKET`,
 * `HEROLD_CARD_BASE_URL`, see infra/constructs/cards.ts). In the local stack: a directory that a
 * small local server serves (`HEROLD_CARD_DIR`, `HEROLD_CARD_BASE_URL`, see local/cards.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CARD_STORE_ENV } from './config';

export interface CardStore {
  /** keeps the card and answers the public URL it is served at */
  put(key: string, bytes: Buffer, mime: string): Promise<string>;
}

/** An unguessable key per card: the URL is public, the message's other cards and ids are not listed anywhere. */
export function cardKey(messageId: string, channelId: string, mime: string): string {
  const extension = mime === 'image/png' ? 'png' : 'jpg';
  return `cards/${messageId}/${channelId}-${randomBytes(8).toString('hex')}.${extension}`;
}

export function cardStoreFromEnv(env: NodeJS.ProcessEnv = process.env): CardStore {
  const baseUrl = env[CARD_STORE_ENV.baseUrl]?.replace(/\/+$/, '');
  if (!baseUrl) throw new Error(`${CARD_STORE_ENV.baseUrl} is not set`);
  const bucket = env[CARD_STORE_ENV.bucket];
  if (bucket) return s3CardStore(bucket, baseUrl);
  const directory = env[CARD_STORE_ENV.directory];
  if (directory) return directoryCardStore(directory, baseUrl);
  throw new Error(`set ${CARD_STORE_ENV.bucket} (AWS) or ${CARD_STORE_ENV.directory} (local) for alert cards`);
}

function s3CardStore(bucket: string, baseUrl: string): CardStore {
  const s3 = new S3Client({});
  return {
    async put(key, bytes, mime) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: mime,
          CacheControl: 'public, max-age=31536000, immutable',
        }),
      );
      return `${baseUrl}/${key}`;
    },
  };
}

function directoryCardStore(directory: string, baseUrl: string): CardStore {
  return {
    async put(key, bytes) {
      const file = path.join(directory, ...key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      return `${baseUrl}/${key}`;
    },
  };
}
