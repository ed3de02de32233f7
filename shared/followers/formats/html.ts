/** A self-contained report page: table and inline chart, no external assets, German. */
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { escapeXml, reportToSvg } from './svg';
import { followerTable } from './table';

function channelCell(channel: ChannelFollowerReport): string {
  const handle = escapeXml(channel.handle);
  return channel.profileUrl && /^https?:\/\//.test(channel.profileUrl)
    ? `<a href="${escapeXml(channel.profileUrl)}">${handle}</a>`
    : handle;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; max-width: 60rem; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.4rem; }
th, td { border-bottom: 1px solid #d0d0d0; padding: 0.4rem 0.8rem; text-align: left; }
.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; }
p.note { color: #444444; font-size: 0.9rem; margin: 0.2rem 0; }
`;

export function reportToHtml(report: FollowerReport): string {
  const table = followerTable(report);
  const headings = [
    '<th scope="col">Plattform</th>',
    '<th scope="col">Kanal</th>',
    ...table.figureColumns.map((column) => `<th scope="col" class="number">${escapeXml(column)}</th>`),
  ];
  const rows = table.rows.map(
    ({ channel, figures }) =>
      `<tr><td>${escapeXml(channel.platformName)}</td><td>${channelCell(channel)}</td>${figures.map((figure) => `<td class="number">${escapeXml(figure)}</td>`).join('')}</tr>`,
  );
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(table.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(table.title)}</h1>
<table>
<caption>Follower je Kanal</caption>
<thead><tr>${headings.join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${table.notes.map((note) => `<p class="note">${escapeXml(note)}</p>`).join('\n')}
<figure>
${reportToSvg(report)}<figcaption>Tage ohne automatische Zählung sind Lücken in der Linie, keine Nullwerte; von Hand eingetragene Zahlen sind verbunden.</figcaption>
</figure>
</body>
</html>
`;
}
