/**
 * German first, English second. German is in the first load; English is fetched when a person
 * switches. Dates and numbers follow the language through Intl (formats in lib/format.ts).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from '../locales/de.json';

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'herold.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof de };
  }
}

const stored = (): Language => {
  const value = globalThis.localStorage?.getItem(STORAGE_KEY);
  return value === 'en' ? 'en' : 'de';
};

export async function initI18n(): Promise<void> {
  await i18next.use(initReactI18next).init({
    lng: 'de',
    fallbackLng: 'de',
    resources: { de: { translation: de } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = 'de';
  if (stored() === 'en') await changeLanguage('en');
}

export async function changeLanguage(language: Language): Promise<void> {
  if (language === 'en' && !i18next.hasResourceBundle('en', 'translation')) {
    const en = (await import('../locales/en.json')).default;
    i18next.addResourceBundle('en', 'translation', en);
  }
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
  localStorage.setItem(STORAGE_KEY, language);
}
