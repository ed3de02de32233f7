/**
 * The workspace's runtime configuration: `config.json` beside its files, written at deploy time by
 * the CDK app and served by the local stack, so one build runs against any API and sign-in. The
 * browser validates it with this schema before anything else starts.
 */
import * as z from 'zod';

export const WorkspaceConfigSchema = z.object({
  /** where the API is, from the browser's point of view: `/api` on the workspace's own origin */
  apiUrl: z.string().min(1),
  auth: z.object({
    /** 'cognito': the user pool's managed login; 'local': the development sign-in of the local stack */
    provider: z.enum(['cognito', 'oidc', 'local']),
    /** the OIDC issuer */
    authority: z.string().min(1),
    clientId: z.string().min(1),
    scope: z.string().default('openid email profile'),
    /** the endpoints, given here so the browser makes no discovery request to another origin */
    metadata: z.object({
      issuer: z.string().min(1),
      authorization_endpoint: z.url(),
      token_endpoint: z.url(),
      end_session_endpoint: z.url().optional(),
    }),
    /** query parameters the sign-out endpoint needs besides the standard ones (Cognito: client_id, logout_uri) */
    signOutParams: z.record(z.string(), z.string()).default({}),
  }),
});
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>;
export type WorkspaceConfigInput = z.input<typeof WorkspaceConfigSchema>;
