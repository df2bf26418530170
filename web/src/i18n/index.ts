import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setApiLanguage } from '../api/client';
import type { Locale } from '../api/types';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Messages = Record<string, unknown>;

// Each capability keeps its strings beside its pages (features/<name>/locales/<locale>.json,
// one top-level key named after the capability), so capabilities never edit a shared file.
const featureLocales = import.meta.glob<Messages>('../features/*/locales/*.json', {
  eager: true,
  import: 'default',
});

function messagesFor(locale: Locale, shell: Messages): Messages {
  const merged: Messages = { ...shell };
  for (const [path, messages] of Object.entries(featureLocales)) {
    if (!path.endsWith(`/${locale}.json`)) continue;
    for (const [key, value] of Object.entries(messages)) {
      if (key in merged) throw new Error(`i18n key "${key}" is defined twice (${path})`);
      merged[key] = value;
    }
  }
  return merged;
}

export const MESSAGES: Record<Locale, Messages> = {
  'zh-CN': messagesFor('zh-CN', zhCN),
  'en-US': messagesFor('en-US', enUS),
};

export const LOCALES: Locale[] = ['zh-CN', 'en-US'];
const STORAGE_KEY = 'tongban.locale';
// Set when the language was chosen while signed out, so the choice is carried into the session.
const PENDING_KEY = 'tongban.locale.pending';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en-US';
}

export function storedLocale(): Locale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export function initialLocale(): Locale {
  const stored = storedLocale();
  if (stored) return stored;
  // Chinese first: English only when the browser asks for it.
  const nav = typeof navigator !== 'undefined' ? navigator.language : '';
  return nav.toLowerCase().startsWith('en') ? 'en-US' : 'zh-CN';
}

export function rememberLocale(locale: Locale, { pending = false } = {}): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
    if (pending) localStorage.setItem(PENDING_KEY, '1');
    else localStorage.removeItem(PENDING_KEY);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

export function takePendingLocale(): Locale | null {
  try {
    if (!localStorage.getItem(PENDING_KEY)) return null;
    localStorage.removeItem(PENDING_KEY);
    return storedLocale();
  } catch {
    return null;
  }
}

function applyDocumentLanguage(lang: string): void {
  setApiLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export function createI18n(lng: Locale = initialLocale()) {
  const instance = i18n.createInstance();
  instance.on('languageChanged', applyDocumentLanguage);
  void instance.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: MESSAGES['zh-CN'] }, 'en-US': { translation: MESSAGES['en-US'] } },
    lng,
    fallbackLng: 'zh-CN',
    supportedLngs: LOCALES,
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  applyDocumentLanguage(lng);
  return instance;
}
