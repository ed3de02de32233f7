import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';

export default function NotFoundRoute() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href="/messages">{t('notFound.back')}</Link>
      </p>
    </>
  );
}
