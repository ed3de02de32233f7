/** parseAnswer: the one place a platform's answer is checked against its documented shape. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlatformError, UNEXPECTED_ANSWER_CODE } from '../../../shared/platforms/client';
import { bodyExcerpt, parseAnswer, redactSecrets, type HttpResponse } from '../../../shared/platforms/http';
import { classifySurprise, UNEXPECTED_ERROR_CODE } from '../../../shared/publishing/publish';

const answer = (
  text: string,
  options: { status?: number; contentType?: string | null; method?: HttpResponse['method'] } = {},
): HttpResponse => {
  const contentType = options.contentType === undefined ? 'application/json; charset=utf-8' : options.contentType;
  let body: unknown = text.length ? text : undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text, as httpRequest does
  }
  return {
    status: options.status ?? 200,
    headers: new Headers(contentType ? { 'content-type': contentType } : {}),
    body,
    text,
    method: options.method ?? 'GET',
  };
};

const Statuses = z.array(z.looseObject({ id: z.string(), content: z.string() }));
const Created = z.looseObject({ data: z.looseObject({ id: z.string() }) });
const source = { platform: 'Mastodon', call: 'list recent statuses' };

function surprise(run: () => unknown): PlatformError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).code).toBe(UNEXPECTED_ANSWER_CODE);
    return error as PlatformError;
  }
  throw new Error('the answer was accepted');
}

describe('parseAnswer', () => {
  it('returns the documented shape, unknown fields kept', () => {
    const parsed = parseAnswer(answer('[{"id":"1","content":"<p>Hallo</p>","visibility":"public"}]'), Statuses, source);
    expect(parsed).toEqual([{ id: '1', content: '<p>Hallo</p>', visibility: 'public' }]);
  });

  it('names platform, call and the JSON path of a list that became an object', () => {
    const error = surprise(() => parseAnswer(answer('{"statuses":[]}'), Statuses, source));
    expect(error.message).toBe(
      'Mastodon list recent statuses: expected an array at $, got an object (HTTP 200: {"statuses":[]})',
    );
    // a read may simply be asked again
    expect(error.errorClass).toBe('retryable');
  });

  it('names the path of a missing id', () => {
    const error = surprise(() =>
      parseAnswer(answer('{"data":{"text":"x"}}', { method: 'POST' }), Created, { platform: 'X', call: 'create post' }),
    );
    expect(error.message).toMatch(/^X create post: expected a string at \$\.data\.id, got nothing \(HTTP 200: /);
    // an odd answer to a write may mean the write happened
    expect(error.errorClass).toBe('ambiguous');
    expect(surprise(() => parseAnswer(answer('[{"id":"1","content":5}]'), Statuses, source)).message).toMatch(
      /expected a string at \$\[0\]\.content, got a number \(5\)/,
    );
  });

  it('refuses an HTML page, whatever its status', () => {
    const error = surprise(() =>
      parseAnswer(
        answer('<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>', { contentType: 'text/html' }),
        Statuses,
        source,
      ),
    );
    expect(error.message).toBe(
      'Mastodon list recent statuses: expected JSON, got text/html (HTTP 200: <!DOCTYPE html><html><body>Wartungsarbeiten</body></html>)',
    );
  });

  it('tells a body cut short, text without a content type, and an empty 204', () => {
    expect(surprise(() => parseAnswer(answer('[{"id":"1","con'), Statuses, source)).message).toMatch(
      /the JSON answer was cut short or broken \(HTTP 200: \[\{"id":"1","con\)/,
    );
    expect(surprise(() => parseAnswer(answer('OK', { contentType: null }), Statuses, source)).message).toMatch(
      /expected JSON, got text \(HTTP 200: OK\)/,
    );
    expect(surprise(() => parseAnswer(answer('', { status: 204, contentType: null }), Statuses, source)).message).toBe(
      'Mastodon list recent statuses: expected a JSON body, got an empty answer (HTTP 204, empty body)',
    );
  });

  it('accepts Graph’s old text/javascript content type for JSON', () => {
    expect(parseAnswer(answer('{"data":{"id":"7"}}', { contentType: 'text/javascript' }), Created, source)).toEqual({
      data: { id: '7' },
    });
  });

  it('quotes a short excerpt that never carries a token', () => {
    const secrets = { accessToken: 'sim-known-secret-12345' };
    const body = JSON.stringify({
      access_token: 'EAAGm0PX4ZCpsBAKZBZC',
      refreshJwt: 'abc',
      note: 'token sim-known-secret-12345 and Bearer abc.def and https://x.example/cb?access_token=zzz',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      padding: 'x'.repeat(500),
    });
    const error = surprise(() =>
      parseAnswer(answer(body), Statuses, { platform: 'Threads', call: 'refresh access token', secrets }),
    );
    for (const secret of ['EAAGm0PX4ZCpsBAKZBZC', 'sim-known-secret-12345', 'abc.def', 'zzz', 'eyJhbGciOiJIUzI1NiJ9'])
      expect(error.message).not.toContain(secret);
    expect(error.message.length).toBeLessThan(300);
    expect(bodyExcerpt('a\n\n  b')).toBe('a b');
  });
});

describe('redactSecrets', () => {
  it('removes bot tokens, long opaque tokens and given secrets, and keeps ordinary ids', () => {
    expect(redactSecrets('POST /bot123456:AAE-secret/sendMessage')).toBe('POST /bot[redacted]/sendMessage');
    expect(redactSecrets('token THQVJ4aBcD3fGh5iJkL7mNoP9qRsT1uVwXyZ2aBcD4eFgH6')).toBe('token [redacted]');
    expect(redactSecrets('post 17841400000000101 of https://www.dresden.de/carolabruecke')).toBe(
      'post 17841400000000101 of https://www.dresden.de/carolabruecke',
    );
    expect(redactSecrets('password hunter2-but-long', ['hunter2-but-long'])).toBe('password [redacted]');
  });
});

describe('classifySurprise', () => {
  const odd = new PlatformError('retryable', 'Mastodon list recent statuses: expected an array at $', {
    code: UNEXPECTED_ANSWER_CODE,
  });
  const typeError = new TypeError("Cannot read properties of undefined (reading 'find')");

  it('classes an odd answer and any non-PlatformError by the step it struck', () => {
    expect(classifySurprise(odd, 'sent', 'mastodon')).toMatchObject({
      errorClass: 'ambiguous',
      code: UNEXPECTED_ANSWER_CODE,
    });
    expect(classifySurprise(odd, 'lookup', 'mastodon').errorClass).toBe('retryable');
    expect(classifySurprise(odd, 'preparing', 'mastodon').errorClass).toBe('retryable');
    const classed = classifySurprise(typeError, 'sent', 'mastodon');
    expect(classed).toMatchObject({ errorClass: 'ambiguous', code: UNEXPECTED_ERROR_CODE });
    expect(classed.message).toBe(
      "Mastodon client failed unexpectedly (TypeError: Cannot read properties of undefined (reading 'find'))",
    );
    expect(classifySurprise(typeError, 'preparing', 'mastodon').errorClass).toBe('retryable');
  });

  it('leaves a classified platform error as it is', () => {
    const refused = new PlatformError('permanent', 'HTTP 422 Validation failed', { code: 422 });
    expect(classifySurprise(refused, 'sent', 'mastodon')).toBe(refused);
  });
});
