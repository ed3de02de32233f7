import { useTranslation } from 'react-i18next';

export default function SignedOutRoute() {
  const { t } = useTranslation();
  return (
    <main id="main" className="centered">
      <h1>{t('auth.signedOutTitle')}</h1>
      <p>{t('auth.signedOutText')}</p>
      <a className="button button-primary" href="/compose">
        {t('auth.signInAgain')}
      </a>
    </main>
  );
}
