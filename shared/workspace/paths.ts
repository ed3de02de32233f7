/** Paths of the workspace's origin, shared by the browser app, CloudFront and the local workspace server. */

/** The workspace's own paths the sign-in returns to. */
export const WORKSPACE_PATHS = {
  signInCallback: '/auth/callback',
  signedOut: '/auth/signed-out',
} as const;

/** Where the API is mounted on the workspace's origin (CloudFront in AWS, the workspace server locally). */
export const API_PATH_PREFIX = '/api';
