/**
 * Where the directory's files go: the directory bucket (AWS, behind CloudFront) or a folder the
 * local stack's static server serves. A file carries its content type, its caching and, for the
 * embeddable views, the sites allowed to frame it (S3 object metadata `frame-ancestors`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface DirectoryFile {
  contentType: string;
  cacheControl: string;
  /** CSP frame-ancestors sources; set on embeddable views only */
  frameAncestors?: string;
}

export interface DirectoryWriter {
  write(key: string, body: string | Buffer, file: DirectoryFile): Promise<void>;
  /** whether a file is there already (QR codes are named by content: written once) */
  exists(key: string): Promise<boolean>;
}

let s3: S3Client | undefined;

export function bucketWriter(bucket: string): DirectoryWriter {
  s3 ??= new S3Client({});
  const client = s3;
  return {
    async write(key, body, file) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: file.contentType,
          CacheControl: file.cacheControl,
          ...(file.frameAncestors !== undefined ? { Metadata: { 'frame-ancestors': file.frameAncestors } } : {}),
        }),
      );
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
        throw error;
      }
    },
  };
}

/** The local folder: each file beside its headers in `.meta/<key>.json`, as S3 keeps an object's metadata. */
export function folderWriter(folder: string): DirectoryWriter {
  return {
    async write(key, body, file) {
      const target = path.join(folder, key);
      const meta = path.join(folder, '.meta', `${key}.json`);
      await Promise.all([
        mkdir(path.dirname(target), { recursive: true }),
        mkdir(path.dirname(meta), { recursive: true }),
      ]);
      const partial = `${target}.${process.pid}.partial`;
      await writeFile(meta, JSON.stringify(file));
      await writeFile(partial, body);
      await rename(partial, target);
    },
    async exists(key) {
      try {
        await readFile(path.join(folder, '.meta', `${key}.json`));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** What S3 would answer for a file's metadata, for the local server. */
export async function folderFileHeaders(folder: string, key: string): Promise<DirectoryFile | undefined> {
  try {
    return JSON.parse(await readFile(path.join(folder, '.meta', `${key}.json`), 'utf8')) as DirectoryFile;
  } catch {
    return undefined;
  }
}
