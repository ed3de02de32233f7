/** The follower report over a range, its downloads, and a figure entered by hand (WhatsApp has no API). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FollowerReport } from '@shared/followers/report';
import { api, apiFile } from '@/lib/api-client';

export interface Range {
  from: string;
  to: string;
}

const query = (range: Range, format?: 'csv' | 'md') =>
  new URLSearchParams({ from: range.from, to: range.to, ...(format ? { format } : {}) }).toString();

export const useFollowerReport = (range: Range, enabled: boolean) =>
  useQuery({
    queryKey: ['followers', range.from, range.to],
    queryFn: () => api<FollowerReport>(`/reports/followers?${query(range)}`),
    enabled,
  });

/** Saves the report as a file: the API's CSV (with BOM, for Excel) or the press-release table in Markdown. */
export async function downloadReport(range: Range, format: 'csv' | 'md'): Promise<void> {
  const blob = await apiFile(`/reports/followers?${query(range, format)}`);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `follower-${range.from}-${range.to}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const useRecordFigure = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ channelId, date, count }: { channelId: string; date: string; count: number }) =>
      api(`/channels/${encodeURIComponent(channelId)}/followers/${date}`, { method: 'PUT', body: { count } }),
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['followers'] }),
        client.invalidateQueries({ queryKey: ['channels'] }),
      ]),
  });
};
