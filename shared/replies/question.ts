/**
 * Does a reply ask something? A heuristic for German and English, good enough to put questions
 * first, never to decide anything on its own. A reply counts as a question when one of its
 * sentences
 *   1. ends with a question mark (also `?!` or `??`; an emoji after it does not matter), or
 *   2. starts with a question word (wer, was, wann, wo, wie, warum, wieso, weshalb, welche …,
 *      who, what, when, where, why, how, which …), or
 *   3. starts with a verb that opens a yes/no question (gibt es, kann, können, darf, muss, soll,
 *      ist, sind, hat, haben, wird, werden …; is, are, can, could, do, does, will, should …)
 *      followed by more words, not a particle ("Ist ja toll", "Ist doch klar"), or
 *   4. holds an asking phrase (weiß jemand, hat jemand, kann mir jemand, wie lange noch, does anyone
 *      know, any news, any update).
 * A sentence ending in `!` only counts with its question mark ("Wie schön!", "Was für ein
 * Einsatz!" are not questions). Links, @mentions and #hashtags are removed first, so a `?` in a URL
 * does not count.
 */

const QUESTION_WORDS = [
  // German
  'wer',
  'wen',
  'wem',
  'wessen',
  'was',
  'wann',
  'wo',
  'woher',
  'wohin',
  'wie',
  'warum',
  'wieso',
  'weshalb',
  'weswegen',
  'welche',
  'welcher',
  'welches',
  'welchen',
  'welchem',
  'wozu',
  'womit',
  'wofür',
  'worauf',
  'worüber',
  'wovon',
  'inwiefern',
  // English
  'who',
  'whom',
  'whose',
  'what',
  'when',
  'where',
  'why',
  'how',
  'which',
];

const YES_NO_VERBS = [
  // German (verb-first questions)
  'gibt',
  'kann',
  'kannst',
  'können',
  'könnt',
  'könnte',
  'könnten',
  'darf',
  'dürfen',
  'muss',
  'müssen',
  'soll',
  'sollen',
  'sollte',
  'sollten',
  'ist',
  'sind',
  'seid',
  'hat',
  'haben',
  'habt',
  'wird',
  'werden',
  'wurde',
  'wurden',
  'bekommt',
  'bekommen',
  'fährt',
  'fahren',
  'gilt',
  'geht',
  'bleibt',
  'brauche',
  'braucht',
  'brauchen',
  // English (auxiliaries)
  'is',
  'are',
  'was',
  'were',
  'can',
  'could',
  'do',
  'does',
  'did',
  'will',
  'would',
  'should',
  'shall',
  'may',
  'might',
  'must',
  'has',
  'have',
  'had',
];

const PHRASES = [
  'weiß jemand',
  'weiss jemand',
  'hat jemand',
  'kann mir jemand',
  'kann jemand',
  'wie lange noch',
  'wisst ihr',
  'wissen sie',
  'does anyone know',
  'does anybody know',
  'anyone know',
  'any news',
  'any update',
  'is there any',
];

/** "Ist ja toll", "Ist doch klar": a verb first with one of these after it makes a statement. */
const STATEMENT_PARTICLES = new Set(['ja', 'doch', 'schon', 'halt', 'eben', 'echt', 'wirklich', 'eh']);

const questionWords = new Set(QUESTION_WORDS);
const yesNoVerbs = new Set(YES_NO_VERBS);

/** The reply without links, mentions and hashtags, in lower case. */
const cleaned = (text: string) =>
  text
    .replace(/https?:\/\/\S+|www\.\S+/gi, ' ')
    .replace(/[@#][\p{L}\p{N}_.-]+/gu, ' ')
    .toLowerCase();

/** Sentences, each with how it ended. */
const sentences = (text: string) =>
  (text.match(/[^.!?\n]+[.!?]*|[.!?]+/g) ?? []).map((sentence) => {
    const end = /[.!?]*$/.exec(sentence.trim())?.[0] ?? '';
    return { words: sentence.match(/[\p{L}\p{N}'’-]+/gu) ?? [], asks: end.includes('?'), exclaims: end === '!' };
  });

export function isQuestion(text: string): boolean {
  const body = cleaned(text);
  if (PHRASES.some((phrase) => body.includes(phrase))) return true;
  return sentences(body).some(({ words, asks, exclaims }) => {
    if (asks) return true;
    const [first, second] = words;
    // "Wie schön!", "Was für ein Einsatz!": exclamations, not questions
    if (!first || exclaims || (first === 'was' && second === 'für')) return false;
    if (questionWords.has(first)) return words.length >= 2;
    return yesNoVerbs.has(first) && second !== undefined && !STATEMENT_PARTICLES.has(second) && words.length >= 3;
  });
}
