/**
 * The workspace in the local stack: built once with Vite when its sources changed (`npm start`, the
 * browser tests and the benchmark all reuse the build), then served by a small HTTP server that
 * plays CloudFront's part: the built files with the same security headers, index.html for every
 * route of the single-page app, `config.json`, the API under `/api` on the same origin, and the
 * development sign-in (local only).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkspaceConfigSchema, type WorkspaceConfig } from '../shared/workspace/config';
import { API_PATH_PREFIX } from '../shared/workspace/paths';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../shared/workspace/headers';
import { createDevSignIn, DEV_CLIENT_ID, DEV_SIGN_IN_PATH, devSignInMetadata } from './dev-sign-in';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = path.join(REPO, 'web');
export const WEB_DIST = path.join(WEB_DIR, 'dist');
const BUILD_STAMP = path.join(WEB_DIST, '.built-at');

/** The newest modification time under these paths (files the build reads). */
function newestChange(paths: string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      for (const child of readdirSync(entry))
        if (child !== 'node_modules' && child !== 'dist') visit(path.join(entry, child));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** Builds web/dist unless it is newer than every source it is built from. Returns whether it built. */
export function ensureWorkspaceBuilt(log: (line: string) => void = console.log): boolean {
  const sources = newestChange([
    path.join(WEB_DIR, 'src'),
    path.join(WEB_DIR, 'index.html'),
    path.join(WEB_DIR, 'vite.config.ts'),
    path.join(WEB_DIR, 'package.json'),
    path.join(REPO, 'shared'),
  ]);
  if (existsSync(BUILD_STAMP) && statSync(BUILD_STAMP).mtimeMs >= sources) return false;
  log('Building the workspace (web/) …');
  const vite = path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  // NODE_ENV decides React's build: a test runner's 'test' must not leak into the workspace's bundle
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`the workspace build failed (exit ${result.status})`);
  writeFileSync(BUILD_STAMP, new Date().toISOString());
  return true;
}

export interface WorkspaceServerOptions {
  /** the local API the workspace's `/api` leads to */
  apiUrl: string;
  /** where media previews may come from besides https: (the simulator's http URL) */
  imageSources?: string[];
  /** 0 = a free port (default 3001) */
  port?: number;
  host?: string;
}

export interface RunningWorkspace {
  url: string;
  config: WorkspaceConfig;
  stop(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export async function startWorkspaceServer(options: WorkspaceServerOptions): Promise<RunningWorkspace> {
  const host = options.host ?? '127.0.0.1';
  // known once the server listens (the port may be chosen by the system)
  const site: { origin: string; config?: WorkspaceConfig } = { origin: '' };
  const signIn = createDevSignIn({ allowedRedirectOrigin: () => site.origin });
  const api = new URL(options.apiUrl);
  const csp = () =>
    contentSecurityPolicy({ connectSources: [], imageSources: options.imageSources, upgradeInsecureRequests: false });

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      console.error('workspace server:', error);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', site.origin);
    if (url.pathname === API_PATH_PREFIX || url.pathname.startsWith(`${API_PATH_PREFIX}/`))
      return proxyToApi(request, response, url);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    response.setHeader('content-security-policy', csp());
    if (url.pathname.startsWith(`${DEV_SIGN_IN_PATH}/`))
      return signIn(request, response, url.pathname.slice(DEV_SIGN_IN_PATH.length), url.searchParams);
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405).end();
    if (url.pathname === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      return void response.end(JSON.stringify(site.config));
    }
    // A file of the build, or index.html for any route of the app (CloudFront's SPA fallback does the same)
    const file = path.join(WEB_DIST, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
    const isFile = file.startsWith(WEB_DIST) && existsSync(file) && statSync(file).isFile();
    const served = isFile ? file : path.join(WEB_DIST, 'index.html');
    if (!isFile && path.extname(url.pathname) !== '') return void response.writeHead(404).end();
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(served)] ?? 'application/octet-stream',
      'cache-control': served.includes(`${path.sep}assets${path.sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(served).pipe(response);
  };

  /** `/api/x` → the API's `/x`, as CloudFront's API behaviour does. */
  const proxyToApi = (request: IncomingMessage, response: ServerResponse, url: URL) =>
    new Promise<void>((resolve) => {
      const upstream = httpRequest(
        {
          host: api.hostname,
          port: api.port,
          method: request.method,
          path: `${url.pathname.slice(API_PATH_PREFIX.length) || '/'}${url.search}`,
          headers: { ...request.headers, host: api.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.once('end', resolve);
        },
      );
      upstream.once('error', () => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' }).end('API not reachable');
        resolve();
      });
      request.pipe(upstream);
    });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3001, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  const config = WorkspaceConfigSchema.parse({
    apiUrl: API_PATH_PREFIX,
    auth: {
      provider: 'local',
      authority: devSignInMetadata(origin).issuer,
      clientId: DEV_CLIENT_ID,
      metadata: devSignInMetadata(origin),
    },
  });
  Object.assign(site, { origin, config });
  return {
    url: origin,
    config,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
