/**
 * The security headers of every workspace response, one definition for CloudFront's response
 * headers policy and the local workspace server. The Content-Security-Policy allows scripts, styles
 * and fonts from the workspace's own origin only (nothing inline, nothing third-party), connections
 * to its own origin (the API under /api) and the sign-in's token endpoint, images from anywhere over
 * HTTPS (a message's media are previewed from where they live), and no framing at all.
 */
export interface CspOptions {
  /** origins besides 'self' the browser may fetch from: the identity provider's token endpoint */
  connectSources: readonly string[];
  /** origins besides 'self', https: and data: that images may come from (the local simulator) */
  imageSources?: readonly string[];
  /** only over HTTPS: ask the browser to upgrade any http: subresource */
  upgradeInsecureRequests: boolean;
}

export function contentSecurityPolicy(options: CspOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['font-src', "'self'"],
    ['img-src', "'self'", 'https:', 'data:', ...(options.imageSources ?? [])],
    ['connect-src', "'self'", ...options.connectSources],
    ['manifest-src', "'self'"],
    ['form-action', "'self'"],
    ['base-uri', "'none'"],
    ['object-src', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  if (options.upgradeInsecureRequests) directives.push(['upgrade-insecure-requests']);
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** The other headers, as CloudFront's response headers policy and the local server both send them. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** HSTS for two years, subdomains included (AWS only: the local stack speaks plain HTTP). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
