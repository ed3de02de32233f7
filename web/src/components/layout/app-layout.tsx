/**
 * The frame of every signed-in page: skip link, header with the organisation, navigation, language
 * and sign-out, the emergency bar (crisis hold, alerts waiting for approval, vanished warnings), and
 * the page itself in <main>. A new screen adds one entry to NAV_ITEMS.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import type { Role } from '@shared/model/schemas';
import { useAuth } from '@/lib/auth';
import { changeLanguage, LANGUAGES, type Language } from '@/lib/i18n';
import { useMe } from '@/lib/session';
import { Button } from '../ui/button';
import { EmergencyBar } from './emergency-bar';

type ChannelPagesLabel = 'channels.nav' | 'followers.nav' | 'settings.nav' | 'audit.nav';

interface NavItem {
  to: string;
  label: 'nav.compose' | 'nav.messages' | 'nav.console' | 'nav.inbox' | ChannelPagesLabel;
  /** shown to people with one of these roles (default: everyone) */
  roles?: Role[];
}

export const NAV_ITEMS: NavItem[] = [
  { to: '/compose', label: 'nav.compose', roles: ['editor'] },
  { to: '/messages', label: 'nav.messages' },
  { to: '/console', label: 'nav.console', roles: ['emergency'] },
  { to: '/inbox', label: 'nav.inbox' },
  // channels, their followers, the organisation's settings and the audit trail
  { to: '/channels', label: 'channels.nav' },
  { to: '/followers', label: 'followers.nav' },
  { to: '/settings', label: 'settings.nav' },
  { to: '/audit', label: 'audit.nav', roles: ['admin'] },
];

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { user, signOut } = useAuth();
  const me = useMe();
  const roles = me.data?.roles ?? [];
  const [location] = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            H
          </span>
          <span>Herold</span>
          {me.data ? <span className="org">{t(`orgs.${me.data.org}`, { defaultValue: me.data.org })}</span> : null}
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            {NAV_ITEMS.filter((item) => !item.roles || item.roles.some((role) => roles.includes(role))).map((item) => (
              <li key={item.to}>
                <Link
                  href={item.to}
                  className={location.startsWith(item.to) ? 'active' : undefined}
                  aria-current={location.startsWith(item.to) ? 'page' : undefined}
                >
                  {t(item.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="session">
          <label className="language">
            <span className="visually-hidden">{t('layout.language')}</span>
            <select
              value={i18n.language}
              onChange={(event) => void changeLanguage(event.target.value as Language)}
              aria-label={t('layout.language')}
            >
              {LANGUAGES.map((language) => (
                <option key={language} value={language}>
                  {language === 'de' ? 'Deutsch' : 'English'}
                </option>
              ))}
            </select>
          </label>
          <span className="user">
            {user?.name}
            {roles.length ? (
              <span className="roles"> ({roles.map((role) => t(`roles.${role}`)).join(', ')})</span>
            ) : null}
          </span>
          <Button variant="quiet" onPress={() => void signOut()}>
            {t('layout.signOut')}
          </Button>
        </div>
      </header>
      <EmergencyBar />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
