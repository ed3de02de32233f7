/** The organisation's alert templates and the languages it publishes; administrators change them. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlertTemplate as StoredTemplate, AlertTemplateBody } from '@shared/alerts/templates';
import { api } from '@/lib/api-client';

export type AlertTemplate = StoredTemplate & {
  /** the form fields it leaves empty that every alert needs (`texts.de-DE.headline`, `severity` …) */
  missing: string[];
};
export type TemplateBody = Omit<AlertTemplateBody, 'severity' | 'urgency' | 'certainty'> &
  Partial<Pick<AlertTemplateBody, 'severity' | 'urgency' | 'certainty'>>;

export interface TemplateList {
  /** the languages the organisation publishes in, the first the primary one */
  languages: string[];
  items: AlertTemplate[];
}

export const useTemplates = () =>
  useQuery({
    queryKey: ['alert-templates'],
    queryFn: () => api<TemplateList>('/alert-templates'),
    staleTime: 30_000,
  });

export function useSaveTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: TemplateBody }) =>
      id
        ? api<AlertTemplate>(`/alert-templates/${encodeURIComponent(id)}`, { method: 'PUT', body })
        : api<AlertTemplate>('/alert-templates', { method: 'POST', body }),
    onSettled: () => client.invalidateQueries({ queryKey: ['alert-templates'] }),
  });
}

export function useDeleteTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/alert-templates/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => client.invalidateQueries({ queryKey: ['alert-templates'] }),
  });
}
