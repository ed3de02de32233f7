/** A self-contained report page: table and inline chart, no external assets, German. */
import { germanDate } from '../dates';
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { germanChange, germanFigure, germanPercent, MANUAL_NOTE } from './german';
import { escapeXml, reportToSvg } from './svg';

const isManual = (channel: ChannelFollowerReport, figure: ChannelFollowerReport['start']) => figure !== null && channel.manualDates.includes(figure.date);

function channelCell(channel: ChannelFollowerReport): string {
  const handle = escapeXml(channel.handle);
  return channel.profileUrl && /^https?:\/\//.test(channel.profileUrl) ? `<a href="${escapeXml(channel.profileUrl)}">${handle}</a>` : handle;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; max-width: 60rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #d0d0d0; padding: 0.4rem 0.8rem; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; }
p.note { color: #444444; font-size: 0.9rem; }
`;

export function reportToHtml(report: FollowerReport): string {
  const period = `${germanDate(report.from)} bis ${germanDate(report.to)}`;
  const rows = report.channels.map(
    (channel) => `<tr>
<td>${escapeXml(channel.platformName)}</td>
<td>${channelCell(channel)}</td>
<td class="number">${escapeXml(germanFigure(channel.start, report.from, isManual(channel, channel.start)))}</td>
<td class="number">${escapeXml(germanFigure(channel.end, report.to, isManual(channel, channel.end)))}</td>
<td class="number">${escapeXml(germanChange(channel.change))}</td>
<td class="number">${escapeXml(germanPercent(channel.changePercent))}</td>
</tr>`,
  );
  const hasManual = report.channels.some((channel) => isManual(channel, channel.start) || isManual(channel, channel.end));
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Follower ${escapeXml(period)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Follower ${escapeXml(period)}</h1>
<table>
<caption>Follower je Kanal am ${escapeXml(germanDate(report.from))} und am ${escapeXml(germanDate(report.to))}</caption>
<thead><tr><th scope="col">Plattform</th><th scope="col">Kanal</th><th scope="col" class="number">Follower am ${escapeXml(germanDate(report.from))}</th><th scope="col" class="number">Follower am ${escapeXml(germanDate(report.to))}</th><th scope="col" class="number">Veränderung</th><th scope="col" class="number">Veränderung in %</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="note">Ein Datum in Klammern nennt den Tag der Zählung, wenn am Stichtag keine vorliegt. Tage ohne Zählung sind im Diagramm Lücken.${hasManual ? ` ${escapeXml(MANUAL_NOTE)}.` : ''}</p>
<figure>
${reportToSvg(report)}</figure>
</body>
</html>
`;
}
