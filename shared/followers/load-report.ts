/** `GET /reports/followers`: validate the query, read channels and series with Query, answer in the negotiated format. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listChannels } from '../store/channels';
import { reportResponse } from './formats/negotiate';
import { validationProblem, type HttpAnswer } from './problems';
import {
  buildFollowerReport,
  validateReportQuery,
  type FollowerReport,
  type FollowerReportQuery,
  type ReportFormat,
} from './report';
import { queryFollowerSeries } from './store';

export async function loadFollowerReport(
  doc: DynamoDBDocumentClient,
  table: string,
  query: Pick<FollowerReportQuery, 'org' | 'from' | 'to'>,
): Promise<FollowerReport> {
  const channels = await listChannels({ doc, table }, query.org);
  const series = new Map(
    await Promise.all(
      channels.map(
        async (channel) =>
          [channel.id, await queryFollowerSeries(doc, table, channel.id, query.from, query.to)] as const,
      ),
    ),
  );
  // A retired channel belongs in the report only for the time it was still measured.
  const reported = channels.filter(
    (channel) => channel.state !== 'retired' || (series.get(channel.id)?.length ?? 0) > 0,
  );
  return buildFollowerReport({ channels: reported, series, from: query.from, to: query.to, org: query.org });
}

/**
 * The whole route: `params` are the query string parameters (the caller sets `org` to the caller's
 * organisation or checks it), `format` overrides them for `/reports/followers.html`.
 */
export async function followerReportResponse(options: {
  doc: DynamoDBDocumentClient;
  table: string;
  params: Record<string, string | undefined>;
  accept: string | undefined;
  format?: ReportFormat;
}): Promise<HttpAnswer> {
  const query = validateReportQuery(options.params);
  if (!query.ok) return validationProblem(query.errors);
  const report = await loadFollowerReport(options.doc, options.table, query.value);
  return reportResponse(report, options.accept, options.format ?? query.value.format);
}
