/**
 * Drafts, kept per person in the browser's local storage while they write, so an expired session,
 * a reload or a sign-in round trip loses nothing. Signing out deletes them. Never holds a token.
 */
const PREFIX = 'herold.draft.';

export const draftKey = (sub: string, name: string) => `${PREFIX}${sub}.${name}`;

export function loadDraft<T>(sub: string, name: string): T | undefined {
  const raw = localStorage.getItem(draftKey(sub, name));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

export function saveDraft(sub: string, name: string, draft: unknown): void {
  localStorage.setItem(draftKey(sub, name), JSON.stringify(draft));
}

export function deleteDraft(sub: string, name: string): void {
  localStorage.removeItem(draftKey(sub, name));
}

/** Every draft of this person (signing out). */
export function forgetDrafts(sub: string): void {
  const mine = `${PREFIX}${sub}.`;
  for (let index = localStorage.length - 1; index >= 0; index -= 1) {
    const key = localStorage.key(index);
    if (key?.startsWith(mine)) localStorage.removeItem(key);
  }
}
