/**
 * Facebook Pages and Instagram professional accounts, both through Facebook Login (classic
 * confidential code flow with `state`; Meta's PKCE variant is still "in testing"):
 *   1. www.facebook.com/{v}/dialog/oauth?client_id&redirect_uri&state&response_type=code&scope=…
 *   2. GET graph.facebook.com/{v}/oauth/access_token?client_id&redirect_uri&client_secret&code
 *      → a short-lived user token (1 h)
 *   3. GET …/oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token
 *      → a long-lived user token (about 60 days)
 *   4. GET …/me/accounts?fields=id,name,username,access_token,tasks,instagram_business_account{id,username}
 *      → the Pages the person manages, each with a Page token that, taken from a long-lived user
 *        token, does not expire.
 * The channel stores the Page token (Facebook: the Page's id; Instagram: the linked professional
 * account's id), which is what the publishers use.
 *
 * No revocation on retirement: a grant belongs to the person, not to a Page. DELETE
 * /{user-id}/permissions would disconnect every Page and Instagram account that person connected,
 * so Herold deletes only the stored token.
 */
import * as z from 'zod';
import { FACEBOOK_GRAPH_VERSION } from '../../platforms/clients/graph';
import type { PlatformId } from '../../platforms/registry';
import { connectCall, ConnectError } from '../answers';
import type { ConnectContext, ConnectedAccount, OAuthFlow } from '../flow';
import { TargetInputSchema, type TargetInput } from '../inputs';
import { pickAccount, targetExtras } from './common';

const UserTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
});

const PagesSchema = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      username: z.string().optional(),
      access_token: z.string().min(1).optional(),
      tasks: z.array(z.string()).optional(),
      instagram_business_account: z.object({ id: z.string().min(1), username: z.string().optional() }).optional(),
    }),
  ),
});
type Page = z.infer<typeof PagesSchema>['data'][number];

/** Tasks on a Page that allow creating content on it. */
const POSTING_TASKS = ['CREATE_CONTENT', 'MANAGE'];

const SCOPES: Record<'facebook' | 'instagram', string[]> = {
  facebook: ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'],
  instagram: ['pages_show_list', 'pages_read_engagement', 'instagram_basic', 'instagram_content_publish'],
};

const graph = (context: ConnectContext) => `${context.apiUrl}/${FACEBOOK_GRAPH_VERSION}`;

function metaFlow(platform: 'facebook' | 'instagram'): OAuthFlow<TargetInput> {
  const call = (what: string) => ({ platform: platform as PlatformId, call: what });
  return {
    kind: 'oauth',
    input: TargetInputSchema,
    pkce: false,
    extrasOf: targetExtras,
    noRevocation:
      'a Facebook Login grant belongs to the person and covers every Page they connected; remove Herold under Settings → Business integrations if it is no longer needed',
    authorizationUrl(request, context) {
      const url = new URL(`${context.authUrl}/${FACEBOOK_GRAPH_VERSION}/dialog/oauth`);
      url.search = new URLSearchParams({
        client_id: request.clientId,
        redirect_uri: request.redirectUri,
        state: request.state,
        response_type: 'code',
        scope: SCOPES[platform].join(','),
      }).toString();
      return url.toString();
    },
    async exchange(exchange, context): Promise<ConnectedAccount> {
      const request = { fetch: context.fetch, timeoutMs: context.timeoutMs };
      const short = await connectCall(
        {
          ...call('code exchange'),
          ...request,
          method: 'GET',
          url: `${graph(context)}/oauth/access_token?${new URLSearchParams({
            client_id: exchange.app.clientId,
            redirect_uri: exchange.redirectUri,
            client_secret: exchange.app.clientSecret,
            code: exchange.code,
          })}`,
        },
        UserTokenSchema,
      );
      const long = await connectCall(
        {
          ...call('long-lived token exchange'),
          ...request,
          method: 'GET',
          url: `${graph(context)}/oauth/access_token?${new URLSearchParams({
            grant_type: 'fb_exchange_token',
            client_id: exchange.app.clientId,
            client_secret: exchange.app.clientSecret,
            fb_exchange_token: short.access_token,
          })}`,
        },
        UserTokenSchema,
      );
      const pages = await connectCall(
        {
          ...call('page list'),
          ...request,
          method: 'GET',
          url: `${graph(context)}/me/accounts?${new URLSearchParams({
            fields: 'id,name,username,access_token,tasks,instagram_business_account{id,username}',
            limit: '100',
          })}`,
          headers: { authorization: `Bearer ${long.access_token}` },
        },
        PagesSchema,
      );
      const postable = pages.data.filter(
        (page) =>
          page.access_token !== undefined &&
          (page.tasks === undefined || page.tasks.some((task) => POSTING_TASKS.includes(task))),
      );
      const target = exchange.extras.target;
      if (platform === 'facebook') {
        const page = pickAccount(
          platform,
          'page list',
          postable,
          (candidate) => [candidate.name, candidate.username, candidate.id],
          { target, context, what: 'Page' },
        );
        return connected(platform, page, {
          account: page.id,
          accountName: page.name,
          profileUrl: `https://www.facebook.com/${page.username ?? page.id}`,
        });
      }
      const linked = postable.filter((page) => page.instagram_business_account);
      const page = pickAccount(
        platform,
        'page list',
        linked,
        (candidate) => [
          candidate.instagram_business_account?.username,
          candidate.name,
          candidate.instagram_business_account?.id,
        ],
        { target, context, what: 'Instagram professional account' },
      );
      const instagram = page.instagram_business_account!;
      const username = instagram.username ?? context.channel.handle.replace(/^@/, '');
      return connected(platform, page, {
        account: instagram.id,
        accountName: `@${username}`,
        handle: `@${username}`,
        profileUrl: `https://www.instagram.com/${username}`,
      });
    },
  };
}

function connected(platform: PlatformId, page: Page, facts: Omit<ConnectedAccount, 'credentials'>): ConnectedAccount {
  if (!page.access_token) throw new ConnectError(platform, 'page list', 'the Page came without a Page token');
  // a Page token taken from a long-lived user token does not expire
  return { ...facts, credentials: { accessToken: page.access_token } };
}

export const facebookConnect = metaFlow('facebook');
export const instagramConnect = metaFlow('instagram');
