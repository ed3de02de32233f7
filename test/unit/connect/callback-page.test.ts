/** The page a platform's sign-in returns to leads back to the workspace's Channels page, naming the channel and outcome. */
import { describe, expect, it } from 'vitest';
import { callbackPage, channelsPageUrl } from '../../../shared/connect/callback-page';

describe('the callback page', () => {
  it('links to the Channels page with the channel and its outcome, never anything the platform sent', () => {
    const html = callbackPage(
      { kind: 'connected', platform: 'x', channelId: 'city-x-1a2b', channel: 'Stadt', account: '@herold_test' },
      'https://workspace.example/',
    );
    expect(html).toContain('href="https://workspace.example/channels?channel=city-x-1a2b&#38;outcome=connected"');
    expect(
      channelsPageUrl('https://workspace.example', {
        kind: 'failed',
        platform: 'linkedin',
        channelId: 'city-linkedin-9',
        channel: 'Stadt',
        reason: 'refused',
      }),
    ).toBe('https://workspace.example/channels?channel=city-linkedin-9&outcome=failed');
    expect(channelsPageUrl('https://workspace.example', { kind: 'refused', reason: 'replayed' })).toBe(
      'https://workspace.example/channels?outcome=refused',
    );
  });

  it('has no link where the workspace is not known', () => {
    expect(callbackPage({ kind: 'refused', reason: 'replayed' })).not.toContain('<a ');
  });
});
