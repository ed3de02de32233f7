/**
 * The directory's two edge functions, as CloudFront Functions source (runtime cloudfront-js-2.0).
 * The same source runs in the local stack's static server, so both serve the same headers.
 *
 * Viewer request: a folder address (`/city/`, `/city/en/`) serves its index.html; `/city` redirects to `/city/`.
 * Viewer response: the security headers. Every file forbids framing (`frame-ancestors 'none'`),
 * except the embeddable views, which allow the sites the organisation configured; the builder
 * stores those on the object (`x-amz-meta-frame-ancestors`), so no deployment is needed to change
 * them. The CSP allows only the directory's own styles and images: no script, nothing third-party.
 */

export const VIEWER_REQUEST_SOURCE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last !== '' && last.indexOf('.') === -1) {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: request.uri + '/' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

export const VIEWER_RESPONSE_SOURCE = `function handler(event) {
  var request = event.request;
  var response = event.response;
  var headers = response.headers;
  var allowed = headers['x-amz-meta-frame-ancestors'];
  delete headers['x-amz-meta-frame-ancestors'];
  var embed = /\\/embed\\.html$/.test(request.uri) && allowed && allowed.value.trim() !== '';
  headers['content-security-policy'] = {
    value: "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors " +
      (embed ? allowed.value : "'none'"),
  };
  if (!embed) headers['x-frame-options'] = { value: 'DENY' };
  headers['x-content-type-options'] = { value: 'nosniff' };
  headers['referrer-policy'] = { value: 'no-referrer' };
  headers['strict-transport-security'] = { value: 'max-age=63072000; includeSubDomains' };
  headers['permissions-policy'] = { value: 'camera=(), microphone=(), geolocation=(), interest-cohort=()' };
  headers['cross-origin-opener-policy'] = { value: 'same-origin' };
  return response;
}`;

export type EdgeHeaders = Record<string, { value: string }>;
export interface EdgeEvent {
  request: { uri: string; method: string };
  response?: { statusCode: number; headers: EdgeHeaders };
}

/** Runs a CloudFront Function's source on an event shaped as CloudFront builds it (local stack and tests). */
export function runEdgeFunction<T>(source: string, event: EdgeEvent): T {
  const handler = new Function(`${source}\nreturn handler;`)() as (event: EdgeEvent) => T;
  return handler(event);
}
