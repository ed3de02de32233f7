import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { I18nProvider } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { AuthProvider } from '@/lib/auth';
import { ApiProblem } from '@/lib/problem';

export function AppProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            // a refusal (4xx) will not change by asking again; a lost connection may
            retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2,
            refetchOnWindowFocus: true,
          },
          mutations: { retry: false },
        },
      }),
  );
  return (
    <I18nProvider locale={i18n.language === 'en' ? 'en-GB' : 'de-DE'}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </I18nProvider>
  );
}
