/**
 * Pinterest (API v5, OpenAPI description `pinterest/api-description`):
 *   1. www.pinterest.com/oauth/?client_id&redirect_uri&response_type=code&scope=…&state
 *   2. POST api.pinterest.com/v5/oauth/token, HTTP Basic (app id : app secret), form:
 *      grant_type=authorization_code, code, redirect_uri, continuous_refresh=true
 *      → { access_token, expires_in, refresh_token, refresh_token_expires_in, scope }
 *      (`continuous_refresh`: apps from before 25 Sep 2025 get the refreshable 60-day refresh token only when they ask)
 *   3. GET /v5/user_account → { username }; GET /v5/boards → the board to pin to
 * Pinterest revokes only tokens of system users by API: retirement deletes the stored token.
 */
import * as z from 'zod';
import { connectCall } from '../answers';
import { addSeconds, type ConnectedAccount, type OAuthFlow } from '../flow';
import { TargetInputSchema, type TargetInput } from '../inputs';
import { basicAuth, pickAccount, renewable, targetExtras } from './common';

const SCOPES = ['boards:read', 'pins:read', 'pins:write', 'user_accounts:read'];

const TokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().optional(),
});
const UserSchema = z.object({ username: z.string().min(1) });
const BoardsSchema = z.object({
  items: z.array(z.object({ id: z.string().min(1), name: z.string() })),
  bookmark: z.string().nullable().optional(),
});

export const pinterestConnect: OAuthFlow<TargetInput> = {
  kind: 'oauth',
  input: TargetInputSchema,
  pkce: false,
  extrasOf: targetExtras,
  noRevocation:
    'Pinterest revokes only system users’ tokens by API; remove Herold under Settings → Security → Apps if it is no longer needed',
  authorizationUrl(request, context) {
    const url = new URL(`${context.authUrl}/oauth/`);
    url.search = new URLSearchParams({
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: SCOPES.join(','),
      state: request.state,
    }).toString();
    return url.toString();
  },
  async exchange(exchange, context): Promise<ConnectedAccount> {
    const base = { platform: 'pinterest' as const, fetch: context.fetch, timeoutMs: context.timeoutMs };
    const token = await connectCall(
      {
        ...base,
        call: 'code exchange',
        method: 'POST',
        url: `${context.apiUrl}/v5/oauth/token`,
        headers: { authorization: basicAuth(exchange.app.clientId, exchange.app.clientSecret) },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: exchange.code,
          redirect_uri: exchange.redirectUri,
          continuous_refresh: 'true',
        }),
      },
      TokenSchema,
    );
    const headers = { authorization: `Bearer ${token.access_token}` };
    const user = await connectCall(
      { ...base, call: 'user account', method: 'GET', url: `${context.apiUrl}/v5/user_account`, headers },
      UserSchema,
    );
    const boards: z.infer<typeof BoardsSchema>['items'] = [];
    let bookmark: string | null | undefined;
    // a cursor-paged list: at most a handful of pages for an authority's account
    for (let page = 0; page < 10; page += 1) {
      const query = new URLSearchParams({ page_size: '250', ...(bookmark ? { bookmark } : {}) });
      const answer = await connectCall(
        { ...base, call: 'board list', method: 'GET', url: `${context.apiUrl}/v5/boards?${query}`, headers },
        BoardsSchema,
      );
      boards.push(...answer.items);
      bookmark = answer.bookmark;
      if (!bookmark) break;
    }
    const board = pickAccount('pinterest', 'board list', boards, (candidate) => [candidate.name, candidate.id], {
      target: exchange.extras.target,
      context,
      what: 'board',
    });
    const expiresAt = addSeconds(context.now, token.expires_in);
    return {
      credentials: {
        accessToken: token.access_token,
        ...(token.refresh_token ? renewable(token.refresh_token, exchange.app) : {}),
        expiresAt,
        issuedAt: context.now.toISOString(),
      },
      account: board.id,
      accountName: `${user.username} / ${board.name}`,
      handle: user.username,
      profileUrl: `https://www.pinterest.com/${user.username}/`,
      tokenExpiresAt: expiresAt,
    };
  },
};
