/**
 * The routes. The composer, where a person lands, comes with the app; every other screen is its own
 * chunk, loaded when first opened (wouter: a router of a few kilobytes, so the first load stays small).
 */
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Redirect, Route, Switch } from 'wouter';
import { WORKSPACE_PATHS } from '@shared/workspace/paths';
import { loadCatalog } from '@/lib/i18n';
import { Root } from './routes/root';
// the page a person lands on comes with the app, not after it (one round trip less)
import ComposeRoute from './routes/compose';

const AuthCallbackRoute = lazy(() => import('./routes/auth-callback'));
const SignedOutRoute = lazy(() => import('./routes/signed-out'));
const MessagesRoute = lazy(() => import('./routes/messages'));
const MessageRoute = lazy(() => import('./routes/message'));
const InboxRoute = lazy(() => import('./routes/inbox'));
const NotFoundRoute = lazy(() => import('./routes/not-found'));
// channels, organisation settings, followers and audit: each its own chunk, loaded when first opened
const ChannelsRoute = lazy(() => import('./routes/channels'));
const SettingsRoute = lazy(() => import('./routes/settings'));
const FollowersRoute = lazy(() => import('./routes/followers'));
const AuditRoute = lazy(() => import('./routes/audit'));
// the console's strings come with it, not with the first load
const ConsoleRoute = lazy(() =>
  Promise.all([import('./routes/console'), loadCatalog('console')]).then(([route]) => route),
);

function Loading() {
  const { t } = useTranslation();
  return <p role="status">{t('common.loading')}</p>;
}

export function AppRouter() {
  return (
    <Suspense fallback={<Loading />}>
      <Switch>
        <Route path={WORKSPACE_PATHS.signInCallback} component={AuthCallbackRoute} />
        <Route path={WORKSPACE_PATHS.signedOut} component={SignedOutRoute} />
        <Route>
          <Root>
            <Suspense fallback={<Loading />}>
              <Switch>
                <Route path="/">
                  <Redirect to="/compose" replace />
                </Route>
                <Route path="/compose" component={ComposeRoute} />
                <Route path="/messages" component={MessagesRoute} />
                <Route path="/messages/:id" component={MessageRoute} />
                <Route path="/channels" component={ChannelsRoute} />
                <Route path="/settings" component={SettingsRoute} />
                <Route path="/followers" component={FollowersRoute} />
                <Route path="/audit" component={AuditRoute} />
                <Route path="/console" component={ConsoleRoute} />
                <Route path="/console/*" component={ConsoleRoute} />
                <Route path="/inbox" component={InboxRoute} />
                <Route component={NotFoundRoute} />
              </Switch>
            </Suspense>
          </Root>
        </Route>
      </Switch>
    </Suspense>
  );
}
