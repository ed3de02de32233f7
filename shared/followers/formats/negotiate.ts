/**
 * Picks the report's representation: `format=` wins, then the Accept header (with q-values), and JSON
 * when the client accepts anything. Nothing acceptable: 406 as application/problem+json (RFC 9457).
 */
import { problem, type HttpAnswer } from '../problems';
import type { FollowerReport, ReportFormat } from '../report';
import { reportToCsv } from './csv';
import { reportToHtml } from './html';
import { reportToJson } from './json';
import { reportToMarkdown } from './markdown';
import { reportToSvg } from './svg';

const REPRESENTATIONS: Record<
  ReportFormat,
  { mediaType: string; contentType: string; extension: string; render: (report: FollowerReport) => string }
> = {
  json: {
    mediaType: 'application/json',
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    render: reportToJson,
  },
  csv: {
    mediaType: 'text/csv',
    contentType: 'text/csv; charset=utf-8; header=present',
    extension: 'csv',
    render: reportToCsv,
  },
  md: {
    mediaType: 'text/markdown',
    contentType: 'text/markdown; charset=utf-8',
    extension: 'md',
    render: reportToMarkdown,
  },
  svg: {
    mediaType: 'image/svg+xml',
    contentType: 'image/svg+xml; charset=utf-8',
    extension: 'svg',
    render: reportToSvg,
  },
  html: { mediaType: 'text/html', contentType: 'text/html; charset=utf-8', extension: 'html', render: reportToHtml },
};

/** Order of preference when the client rates several types equally. */
const PREFERENCE: readonly ReportFormat[] = ['json', 'html', 'csv', 'md', 'svg'];

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .flatMap((part) => {
      const [range = '', ...params] = part.split(';').map((piece) => piece.trim());
      const [type, subtype] = range.toLowerCase().split('/');
      if (!type || !subtype) return [];
      const q = params.find((param) => /^q=/i.test(param));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return Number.isFinite(quality) ? [{ type, subtype, quality: Math.min(1, Math.max(0, quality)) }] : [];
    });
}

/** How much the client wants `mediaType`: the most specific matching range decides (RFC 9110 §12.5.1). */
function qualityOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  let best: { specificity: number; quality: number } | undefined;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, quality: range.quality };
  }
  return best?.quality ?? 0;
}

export function negotiateFormat(accept: string | undefined): ReportFormat | null {
  if (!accept || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  let chosen: { format: ReportFormat; quality: number } | null = null;
  for (const format of PREFERENCE) {
    const quality = qualityOf(ranges, REPRESENTATIONS[format].mediaType);
    if (quality > 0 && (!chosen || quality > chosen.quality)) chosen = { format, quality };
  }
  return chosen?.format ?? null;
}

export function reportResponse(report: FollowerReport, accept: string | undefined, format?: ReportFormat): HttpAnswer {
  const chosen = format ?? negotiateFormat(accept);
  if (!chosen) {
    const offered = Object.values(REPRESENTATIONS).map((representation) => representation.mediaType);
    const notAcceptable = problem(
      406,
      'Not Acceptable',
      `The follower report is available as ${offered.join(', ')}; or choose with format=${PREFERENCE.join('|')}.`,
    );
    return { ...notAcceptable, headers: { ...notAcceptable.headers, vary: 'Accept' } };
  }
  const representation = REPRESENTATIONS[chosen];
  const headers: Record<string, string> = { 'content-type': representation.contentType, vary: 'Accept' };
  if (chosen === 'csv' || chosen === 'md') {
    headers['content-disposition'] =
      `attachment; filename="followers-${report.org ?? 'all'}-${report.from}-${report.to}.${representation.extension}"`;
  }
  return { statusCode: 200, headers, body: representation.render(report) };
}
