import { describe, expect, it } from 'vitest';
import { CreateMessageSchema, IdSchema, JobSchema } from '../../../shared/model/schemas';
import { zodFieldErrors } from '../../../shared/api/problem';

const fields = (value: unknown) => {
  const result = CreateMessageSchema.safeParse(value);
  return result.success ? [] : zodFieldErrors(result.error).map((error) => error.field);
};

describe('CreateMessageSchema', () => {
  it('fills the defaults', () => {
    expect(CreateMessageSchema.parse({ text: 'Hallo' })).toEqual({ text: 'Hallo', media: [], priority: 'normal' });
  });
  it('names every wrong field', () => {
    expect(
      fields({
        text: ' ',
        link: 'ftp://x',
        media: [{ url: 'https://a/b.jpg', altText: '', mime: 'image/tiff' }],
        priority: 'urgent',
        extra: 1,
      }),
    ).toEqual(expect.arrayContaining(['text', 'link', 'media[0].altText', 'media[0].mime', 'priority', 'extra']));
  });
  it('takes overrides only for known platforms, each with a text', () => {
    expect(fields({ text: 'a', overrides: { threads: { text: 'b' } } })).toEqual([]);
    expect(fields({ text: 'a', overrides: { myspace: { text: 'b' } } })).not.toEqual([]);
    expect(fields({ text: 'a', overrides: { threads: { text: '' } } })).toContain('overrides.threads.text');
  });
  it('takes a named channel list of up to 1,000 channels, more than one transaction holds', () => {
    const named = (length: number) =>
      fields({ text: 'a', channels: Array.from({ length }, (_, index) => `c${index}`) });
    expect(named(99)).not.toContain('channels');
    expect(named(1_001)).toContain('channels');
  });
});

describe('ids and jobs', () => {
  it.each(['../etc', 'a/b', 'a.b', '', 'x'.repeat(65), 'ä'])('refuses the id %j', (id) =>
    expect(IdSchema.safeParse(id).success).toBe(false),
  );
  it('parses both job kinds and refuses anything else', () => {
    expect(JobSchema.parse({ type: 'publish', messageId: 'M1', channelId: 'c1' }).type).toBe('publish');
    expect(JobSchema.parse({ type: 'collect-followers', channelId: 'c1', date: '2024-02-02' }).type).toBe(
      'collect-followers',
    );
    expect(JobSchema.safeParse({ type: 'delete-everything' }).success).toBe(false);
  });
});
