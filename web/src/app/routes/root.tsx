/** Every signed-in page: react-aria's links use the router, the layout frames the page. */
import type { ReactNode } from 'react';
import { RouterProvider } from 'react-aria-components';
import { useLocation } from 'wouter';
import { AppLayout } from '@/components/layout/app-layout';
import { RequireAuth } from '@/lib/auth';

export function Root({ children }: { children: ReactNode }) {
  const [, navigate] = useLocation();
  return (
    <RouterProvider navigate={(to) => navigate(to)}>
      <RequireAuth>
        <AppLayout>{children}</AppLayout>
      </RequireAuth>
    </RouterProvider>
  );
}
