/**
 * Real or exercise, never a matter of reading small print (Hawaii, January 2018: the drill and the
 * live alert looked the same). While an exercise or test is on screen the whole workspace changes:
 * its header turns into yellow and black hazard stripes, the page is tinted, a band across the top
 * says ÜBUNG / TEST in large letters, and every preview carries the word. A real alert has a red
 * band that says it goes to the public. The mode is set on <html> (data-alert-mode) while the
 * screen is open, so every part of the page, the layout included, follows it.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Mode } from '../draft';

export function useScreenMode(mode: Mode | undefined): void {
  useEffect(() => {
    const root = document.documentElement;
    if (!mode) return;
    root.dataset.alertMode = mode === 'Actual' ? 'actual' : 'exercise';
    return () => {
      delete root.dataset.alertMode;
    };
  }, [mode]);
}

/** The band across the top of an alert's screen: what this is, in words a person cannot miss. */
export function ModeBand({ mode }: { mode: Mode | undefined }) {
  const { t } = useTranslation();
  if (!mode)
    return (
      <p className="mode-band mode-band-undecided" data-testid="mode-band">
        {t('console.mode.undecided')}
      </p>
    );
  return (
    <p className={`mode-band ${mode === 'Actual' ? 'mode-band-actual' : 'mode-band-exercise'}`} data-testid="mode-band">
      <strong>{t(`console.mode.word.${mode}`)}</strong> {t(`console.mode.says.${mode}`)}
    </p>
  );
}

/** On every preview of an exercise or test: the word, on the card itself. */
export function ExerciseStamp({ mode }: { mode: Mode | undefined }) {
  const { t } = useTranslation();
  if (!mode || mode === 'Actual') return null;
  return <p className="exercise-stamp">{t('console.mode.stamp', { word: t(`console.mode.word.${mode}`) })}</p>;
}
