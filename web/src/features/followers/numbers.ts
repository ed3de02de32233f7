/**
 * A follower figure as people type it: "12.345" or "12 345" in German, "12,345" in English. Returns
 * the whole number, or why it is none (the field shows that in words).
 */
export type ParsedCount = { ok: true; value: number } | { ok: false; problem: 'required' | 'notWhole' | 'negative' };

export function parseCount(text: string, language: string): ParsedCount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'required' };
  if (/^-/.test(trimmed)) return { ok: false, problem: 'negative' };
  const groupSeparator = language === 'en' ? ',' : '.';
  // group separators only between groups of three digits; anything else (a decimal point, letters) is no whole number
  const grouped = new RegExp(`^\\d{1,3}(?:[${groupSeparator}\\s\\u00a0\\u202f]\\d{3})*$`);
  if (!/^\d+$/.test(trimmed) && !grouped.test(trimmed)) return { ok: false, problem: 'notWhole' };
  const value = Number(trimmed.replace(/\D/g, ''));
  if (!Number.isSafeInteger(value)) return { ok: false, problem: 'notWhole' };
  return { ok: true, value };
}
