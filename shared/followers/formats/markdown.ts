/** The press-release table: Plattform | Kanal | Follower, German number format. */
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { followerTable } from './table';

/** Pipes and line breaks would break the table; backslash-escape Markdown's own characters. */
export function markdownCell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`).replace(/\s*[\r\n]+\s*/g, ' ');
}

function channelCell(channel: ChannelFollowerReport): string {
  const handle = markdownCell(channel.handle);
  return channel.profileUrl ? `[${handle}](<${channel.profileUrl.replace(/[<>]/g, encodeURIComponent)}>)` : handle;
}

export function reportToMarkdown(report: FollowerReport): string {
  const table = followerTable(report);
  const header = ['Plattform', 'Kanal', ...table.figureColumns];
  const alignment = header.map((_, index) => (index < 2 ? '---' : '---:'));
  const rows = table.rows.map(({ channel, figures }) => [
    markdownCell(channel.platformName),
    channelCell(channel),
    ...figures,
  ]);
  const lines = [header, alignment, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  // Each note is a paragraph of its own; a leading "*" would start a list.
  const notes = table.notes.flatMap((note) => ['', note.replace(/^\*/, '\\*')]);
  return [`## ${table.title}`, '', ...lines, ...notes, ''].join('\n');
}
