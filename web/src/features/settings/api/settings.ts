/** The organisation's settings: the public directory's display name and the sites that may embed it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export interface OrgSettings {
  org: string;
  displayName: string;
  embedOrigins: string[];
  /** the public directory's addresses, where the deployment has one */
  directory?: { url: string; english: string; embed: string; feed: string };
}

const key = (org: string) => ['settings', org] as const;
const path = (org: string) => `/organisations/${encodeURIComponent(org)}/settings`;

export const useSettings = (org: string | undefined) =>
  useQuery({ queryKey: key(org ?? ''), queryFn: () => api<OrgSettings>(path(org ?? '')), enabled: Boolean(org) });

export const useSaveSettings = (org: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (settings: { displayName: string; embedOrigins: string[] }) =>
      api<OrgSettings>(path(org), { method: 'PUT', body: settings }),
    onSuccess: (saved) => client.setQueryData(key(org), saved),
  });
};

/** The `<iframe>` a city's web team pastes into its page. */
export const embedSnippet = (embedUrl: string, title: string) =>
  `<iframe src="${embedUrl}" title="${title.replace(/"/g, '&quot;')}" width="100%" height="640" style="border:0" loading="lazy" referrerpolicy="no-referrer"></iframe>`;
