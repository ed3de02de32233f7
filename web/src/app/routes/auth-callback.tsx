/** Where the sign-in returns: the code is exchanged (PKCE) and the person goes back where they were. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { useAuth } from '@/lib/auth';

export default function AuthCallbackRoute() {
  const { manager } = useAuth();
  const [, navigate] = useLocation();
  const { t } = useTranslation();
  const [failed, setFailed] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    manager
      .signinRedirectCallback()
      .then((user) => {
        const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo;
        navigate(returnTo && returnTo.startsWith('/') && !returnTo.startsWith('/auth/') ? returnTo : '/compose', {
          replace: true,
        });
      })
      .catch(() => setFailed(true));
  }, [manager, navigate]);
  return (
    <main id="main" className="centered">
      {failed ? (
        <>
          <h1>{t('auth.failedTitle')}</h1>
          <p>{t('auth.failedText')}</p>
          <a href="/compose">{t('auth.signInAgain')}</a>
        </>
      ) : (
        <p role="status">{t('auth.signingIn')}</p>
      )}
    </main>
  );
}
