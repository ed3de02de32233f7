/**
 * A Secrets Manager stand-in for the cost benchmark: GetSecretValue and PutSecretValue over the AWS
 * JSON protocol, in memory. The local stack keeps channel credentials in a file (`local:` refs), which
 * AWS would keep in one secret per channel; the benchmark moves them here so the reads a publisher
 * makes after its cache (shared/publishing/credentials.ts) reach the meter as they would reach AWS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsStandIn {
  url: string;
  put(name: string, value: string): void;
  stop(): Promise<void>;
}

export async function startSecretsStandIn(): Promise<SecretsStandIn> {
  const secrets = new Map<string, { value: string; version: number }>();
  const arn = (name: string) => `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${name}`;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { SecretId?: string; SecretString?: string };
      const name = String(input.SecretId ?? '').replace(/^arn:aws:secretsmanager:[^:]*:[^:]*:secret:/, '');
      const reply = (status: number, payload: unknown) =>
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      const secret = secrets.get(name);
      if (!secret)
        return reply(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${name}` });
      if (target.endsWith('.GetSecretValue'))
        return reply(200, {
          ARN: arn(name),
          Name: name,
          SecretString: secret.value,
          VersionId: `v${secret.version}`,
          VersionStages: ['AWSCURRENT'],
        });
      if (target.endsWith('.PutSecretValue')) {
        secrets.set(name, { value: String(input.SecretString), version: secret.version + 1 });
        return reply(200, { ARN: arn(name), Name: name, VersionId: `v${secret.version + 1}` });
      }
      reply(400, { __type: 'InvalidRequestException', message: `${target} is not supported here` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (name, value) => secrets.set(name, { value, version: 1 }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
