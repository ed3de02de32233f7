/** The audit trail over a date range, optionally one person's entries (subject, or part of a name or e-mail). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditEntry } from '@shared/audit/audit';
import { api } from '@/lib/api-client';

export interface AuditFilter {
  from: string;
  to: string;
  person: string;
}

export const useAudit = (filter: AuditFilter, enabled: boolean) =>
  useQuery({
    queryKey: ['audit', filter.from, filter.to, filter.person],
    queryFn: async () => {
      const query = new URLSearchParams({ from: filter.from, to: filter.to });
      if (filter.person.trim()) query.set('person', filter.person.trim());
      return (await api<{ items: AuditEntry[] }>(`/audit?${query}`)).items;
    },
    enabled,
    placeholderData: keepPreviousData,
  });
