import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setApiLanguage } from '../api/client';
import type { Locale } from '../api/types';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

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
    resources: { 'zh-CN': { translation: zhCN }, 'en-US': { translation: enUS } },
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
