/** The press-release table: Plattform | Kanal | Follower, German number format. */
import { germanDate } from '../dates';
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { germanChange, germanFigure, germanPercent, MANUAL_NOTE } from './german';

/** Pipes and line breaks would break the table; backslash-escape Markdown's own characters. */
export function markdownCell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`).replace(/\s*[\r\n]+\s*/g, ' ');
}

function channelCell(channel: ChannelFollowerReport): string {
  const handle = markdownCell(channel.handle);
  return channel.profileUrl ? `[${handle}](<${channel.profileUrl.replace(/[<>]/g, encodeURIComponent)}>)` : handle;
}

const isManual = (channel: ChannelFollowerReport, figure: ChannelFollowerReport['start']) => figure !== null && channel.manualDates.includes(figure.date);

export function reportToMarkdown(report: FollowerReport): string {
  const singleDay = report.from === report.to;
  const header = singleDay
    ? ['Plattform', 'Kanal', `Follower am ${germanDate(report.to)}`]
    : ['Plattform', 'Kanal', `Follower am ${germanDate(report.from)}`, `Follower am ${germanDate(report.to)}`, 'Veränderung', 'Veränderung in %'];
  const alignment = header.map((_, index) => (index < 2 ? '---' : '---:'));
  const rows = report.channels.map((channel) => {
    const end = germanFigure(channel.end, report.to, isManual(channel, channel.end));
    const cells = singleDay
      ? [markdownCell(channel.platformName), channelCell(channel), end]
      : [markdownCell(channel.platformName), channelCell(channel), germanFigure(channel.start, report.from, isManual(channel, channel.start)), end, germanChange(channel.change), germanPercent(channel.changePercent)];
    return cells;
  });
  const lines = [header, alignment, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const hasManual = report.channels.some((channel) => isManual(channel, channel.start) || isManual(channel, channel.end));
  const hasOtherDay = report.channels.some((channel) => (channel.end && channel.end.date !== report.to) || (!singleDay && channel.start && channel.start.date !== report.from));
  const notes = [
    ...(hasOtherDay ? ['Ein Datum in Klammern nennt den Tag der Zählung, wenn am Stichtag keine vorliegt.'] : []),
    // A leading "*" would start a Markdown list.
    ...(hasManual ? [`\\${MANUAL_NOTE}`] : []),
  ];
  const title = singleDay ? `## Follower am ${germanDate(report.to)}` : `## Follower vom ${germanDate(report.from)} bis ${germanDate(report.to)}`;
  return [title, '', ...lines, ...notes.flatMap((note) => ['', note]), ''].join('\n');
}
