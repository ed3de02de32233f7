/**
 * German first, English second. German is in the first load; English is fetched when a person
 * switches. Dates and numbers follow the language through Intl (formats in lib/format.ts). A screen
 * loaded when first opened may bring its own catalog (loadCatalog), so its strings stay out of the
 * first load too; its keys are typed like every other.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from '../locales/de.json';
import type consoleDe from '../locales/console.de.json';

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'herold.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof de & typeof consoleDe };
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

/** The catalogs of screens that load on first use, per language. */
const CATALOGS = {
  console: {
    de: () => import('../locales/console.de.json'),
    en: () => import('../locales/console.en.json'),
  },
} satisfies Record<string, Record<Language, () => Promise<{ default: object }>>>;
type Catalog = keyof typeof CATALOGS;
const wanted = new Set<Catalog>();

async function addCatalog(name: Catalog, language: Language): Promise<void> {
  const { default: strings } = await CATALOGS[name][language]();
  // deep: the screen's block joins the language's catalog without replacing it
  i18next.addResourceBundle(language, 'translation', strings, true, true);
}

/** A screen's own strings, in the current language and (from now on) in every language switched to. */
export async function loadCatalog(name: Catalog): Promise<void> {
  wanted.add(name);
  await addCatalog(name, i18next.language === 'en' ? 'en' : 'de');
}

export async function changeLanguage(language: Language): Promise<void> {
  if (language === 'en' && !i18next.hasResourceBundle('en', 'translation')) {
    const en = (await import('../locales/en.json')).default;
    i18next.addResourceBundle('en', 'translation', en, true, true);
  }
  await Promise.all([...wanted].map((name) => addCatalog(name, language)));
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
  localStorage.setItem(STORAGE_KEY, language);
}
