/**
 * The emergency console: writing an alert from a template, the second person's approval, the live
 * board of a running alert, vanished NINA warnings, held routine posts and the templates. Loaded
 * when first opened, so the composer's first load does not carry it.
 */
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Switch, useParams } from 'wouter';
import { AlertBoard } from './alert-board';
import { AlertComposer } from './alert-composer';
import { ApprovalView } from './approval-view';
import { ConsoleHome } from './console-home';
import { HeldMessages } from './held-messages';
import { TemplatesAdmin } from './templates-admin';
import '../console.css';

export function EmergencyConsole() {
  const { t } = useTranslation();
  return (
    <div className="console">
      <Switch>
        <Route path="/console" component={ConsoleHome} />
        <Route path="/console/new" component={AlertComposer} />
        <Route path="/console/approvals/:id">{() => <WithId render={(id) => <ApprovalView messageId={id} />} />}</Route>
        <Route path="/console/alerts/:id">{() => <WithId render={(id) => <AlertBoard messageId={id} />} />}</Route>
        <Route path="/console/templates" component={TemplatesAdmin} />
        <Route path="/console/held" component={HeldMessages} />
        <Route>
          <h1>{t('notFound.title')}</h1>
          <Link href="/console">{t('console.back')}</Link>
        </Route>
      </Switch>
    </div>
  );
}

/** A screen of one message, mounted afresh for each id (its drafts and timers belong to that message). */
function WithId({ render }: { render(id: string): ReactNode }) {
  const { id = '' } = useParams<{ id: string }>();
  return <Fragment key={id}>{render(id)}</Fragment>;
}
