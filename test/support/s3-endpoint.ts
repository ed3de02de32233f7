/**
 * S3's PutObject, GetObject and HeadObject (path-style, as the SDK addresses an endpoint given by IP) for the
 * buckets a template creates, kept in memory, so that a bundle's S3 client reaches it through
 * `AWS_ENDPOINT_URL_S3`. A request for another bucket is answered NoSuchBucket, as S3 would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  bytes: Buffer;
  contentType: string | undefined;
}

export interface S3Endpoint {
  url: string;
  /** every object written, by `<bucket>/<key>` */
  objects: Map<string, StoredObject>;
  stop(): Promise<void>;
}

/** The body of an `aws-chunked` upload (the SDK's streaming checksum encoding): the chunks without their framing. */
function decodeAwsChunked(raw: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const lineEnd = raw.indexOf('\r\n', offset);
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!size) break;
    chunks.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(chunks);
}

export async function startS3Endpoint(options: { buckets: string[] }): Promise<S3Endpoint> {
  const objects = new Map<string, StoredObject>();
  const answer = (response: ServerResponse, status: number, code?: string) => {
    response.writeHead(status, { 'content-type': 'application/xml' });
    response.end(code ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>` : '');
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://s3');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (!options.buckets.includes(bucket)) return answer(response, 404, 'NoSuchBucket');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (request.method === 'PUT' && key) {
      const encoding = String(request.headers['content-encoding'] ?? '');
      objects.set(`${bucket}/${key}`, {
        bytes: encoding.includes('aws-chunked') ? decodeAwsChunked(raw) : raw,
        contentType: request.headers['content-type'],
      });
      response.writeHead(200, { etag: `"${objects.size}"` });
      return response.end();
    }
    if ((request.method === 'GET' || request.method === 'HEAD') && key) {
      const stored = objects.get(`${bucket}/${key}`);
      // S3 answers a HEAD without a body, so the SDK names that error NotFound
      if (!stored) return request.method === 'HEAD' ? answer(response, 404) : answer(response, 404, 'NoSuchKey');
      response.writeHead(200, {
        'content-type': stored.contentType ?? 'application/octet-stream',
        'content-length': stored.bytes.length,
      });
      return response.end(request.method === 'HEAD' ? undefined : stored.bytes);
    }
    answer(response, 501, 'NotImplemented');
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, 'InternalError'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
