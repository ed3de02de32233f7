import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signToken, verifyToken } from '../../local/dev-key';
import { parseTokenArgs, UsageError } from '../../local/token';

let keyDir: string;
beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'herold-key-'));
  process.env.HEROLD_DEV_KEY_FILE = path.join(keyDir, 'dev-key.json');
});
afterAll(async () => {
  delete process.env.HEROLD_DEV_KEY_FILE;
  await rm(keyDir, { recursive: true, force: true });
});

describe('token CLI arguments', () => {
  it('accepts an organisation, repeated roles, a subject and a lifetime', () => {
    expect(
      parseTokenArgs([
        '--org',
        'fire-brigade',
        '--role',
        'editor',
        '--role',
        'emergency',
        '--sub',
        'u-42',
        '--ttl',
        '600',
      ]),
    ).toEqual({
      sub: 'u-42',
      org: 'fire-brigade',
      roles: ['editor', 'emergency'],
      ttlSeconds: 600,
    });
  });

  it('derives a subject and keeps each role once', () => {
    expect(parseTokenArgs(['--org', 'city', '--role', 'admin', '--role', 'admin'])).toMatchObject({
      sub: 'local-city-admin',
      roles: ['admin'],
    });
  });

  it.each([
    [[], '--org is required'],
    [['--org', 'city'], 'at least one --role is required'],
    [['--org', 'police', '--role', 'editor'], 'unknown organisation "police"'],
    [['--org', 'city', '--role', 'superuser'], 'unknown role "superuser"'],
    [['--org', 'city', '--role', 'editor', '--ttl', '0'], '--ttl must be a whole number'],
    [['--org', 'city', '--role', 'editor', '--ttl', '1.5'], '--ttl must be a whole number'],
    [['--org', 'city', '--role', 'editor', '--ttl', '99999999'], '--ttl must be a whole number'],
    [['--org', 'city', '--role', 'editor', '--sub', ' '], '--sub must not be empty'],
    [['--org', 'city', '--role', 'editor', '--admin'], "Unknown option '--admin'"],
    [['--org', 'city', '--role', 'editor', 'extra'], 'Unexpected argument'],
  ])('rejects %j', (args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(UsageError);
    expect(() => parseTokenArgs(args)).toThrow(message);
  });
});

describe('development key', () => {
  it('signs ES256 tokens for herold with the principal as claims, and verifies them', async () => {
    const token = await signToken({ sub: 'u-1', org: 'city', roles: ['editor', 'emergency'], ttlSeconds: 60 });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const payload = await verifyToken(token);
    expect(payload).toMatchObject({
      sub: 'u-1',
      org: 'city',
      roles: ['editor', 'emergency'],
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
  });

  it('rejects a principal the schemas reject', async () => {
    await expect(signToken({ sub: 'u-1', org: 'City Hall', roles: ['editor'] })).rejects.toThrow();
  });

  it('rejects expired, unsigned, tampered and foreign tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signToken({ sub: 'u-1', org: 'city', roles: ['editor'], ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(verifyToken(expired)).rejects.toThrow(/exp/);

    const unsigned = new UnsecuredJWT({ org: 'city', roles: ['admin'] })
      .setSubject('u-1')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(now + 60)
      .encode();
    await expect(verifyToken(unsigned)).rejects.toThrow();

    const genuine = await signToken({ sub: 'u-1', org: 'city', roles: ['editor'] });
    const [header, , signature] = genuine.split('.');
    const escalated = base64url.encode(JSON.stringify({ ...decodeJwt(genuine), roles: ['admin'] }));
    await expect(verifyToken(`${header}.${escalated}.${signature}`)).rejects.toThrow();

    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ org: 'city', roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('u-1')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    await expect(verifyToken(foreign)).rejects.toThrow();
  });
});

describe('npm run token', () => {
  const run = promisify(execFile);
  const tsx = path.resolve('node_modules/.bin/tsx');
  const env = () => ({ ...process.env, HEROLD_DEV_KEY_FILE: process.env.HEROLD_DEV_KEY_FILE });

  it('prints the token alone on the last line of stdout', async () => {
    const { stdout } = await run(tsx, ['local/token.ts', '--org', 'city', '--role', 'editor'], { env: env() });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const token = lines.at(-1) ?? '';
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await verifyToken(token)).toMatchObject({ org: 'city', roles: ['editor'] });
  });

  it('exits with status 2 and the usage on bad arguments', async () => {
    const failure = await run(tsx, ['local/token.ts', '--org', 'city'], { env: env() }).catch(
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr).toContain('usage: npm run token');
  });
});
