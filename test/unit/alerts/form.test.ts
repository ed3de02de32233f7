/**
 * The alert form and CAP XML are two roads to the same alert: the form becomes the CAP shape the
 * XML reader produces, is validated by the same schema, and turns into the same messages.
 */
import { describe, expect, it } from 'vitest';
import { AlertFormSchema, capToFormFields, formProblems, formToCapInput } from '../../../shared/alerts/form';
import { OrgAlertPolicySchema } from '../../../shared/alerts/policy';
import { validateCapAlert } from '../../../shared/cap/schema';
import { capToMessages } from '../../../shared/cap/to-message';
import { parsedFixture } from '../cap/fixtures';

const xmlAlert = parsedFixture('dresden-bombenfund-evakuierung.xml');
const form = AlertFormSchema.parse({
  identifier: xmlAlert.identifier,
  status: 'Actual',
  ...capToFormFields(xmlAlert),
});
const origin = {
  sender: xmlAlert.sender,
  senderName: 'Landeshauptstadt Dresden - Feuerwehr',
  sent: new Date(Date.parse(xmlAlert.sent)),
  primaryLanguage: 'de-DE',
};
const policy = OrgAlertPolicySchema.parse({ languages: ['de-DE', 'en'] });

describe('the alert form', () => {
  it('becomes a valid CAP alert whose messages equal those of the XML document it was made from', () => {
    const validated = validateCapAlert(formToCapInput(form, origin));
    if (!validated.ok) expect.fail(JSON.stringify(validated.problems));
    expect(validated.alert).toMatchObject({
      identifier: xmlAlert.identifier,
      sender: xmlAlert.sender,
      scope: 'Public',
    });
    const options = { preferredLanguage: 'de-DE', secondLanguage: 'en' as const };
    const fromForm = capToMessages(validated.alert, options);
    const fromXml = capToMessages(xmlAlert, options);
    const essentials = (drafts: typeof fromForm) =>
      drafts.map(({ language, text, link, priority, kind, publishable, headline, instruction }) => ({
        language,
        text,
        link,
        priority,
        kind,
        publishable,
        headline,
        instruction,
      }));
    expect(essentials(fromForm)).toEqual(essentials(fromXml));
  });

  it('marks every rendering of an exercise ÜBUNG (EXERCISE in English) and of a test TEST', () => {
    for (const [status, german, english] of [
      ['Exercise', '+++ ÜBUNG +++ ', '+++ EXERCISE +++ '],
      ['Test', '+++ TEST +++ ', '+++ TEST +++ '],
    ] as const) {
      const validated = validateCapAlert(formToCapInput({ ...form, status }, origin));
      if (!validated.ok) expect.fail(JSON.stringify(validated.problems));
      const [de, en] = capToMessages(validated.alert, { preferredLanguage: 'de-DE', secondLanguage: 'en' });
      expect(de?.text.startsWith(german)).toBe(true);
      expect(en?.text.startsWith(english)).toBe(true);
      expect(de?.publishable).toBe(false);
    }
  });

  it('names what the schema cannot know: the organisation’s languages, unfilled placeholders, an answer without references', () => {
    expect(formProblems(form, policy)).toEqual([]);
    const german = OrgAlertPolicySchema.parse({ languages: ['de-DE'] });
    expect(formProblems(form, german)).toEqual([
      { field: 'texts.en-US', message: 'the organisation publishes in de-DE, not in en-US' },
    ]);
    const placeholder = { ...form, texts: { 'de-DE': { event: 'Unwetter', headline: 'Sturm in [Stadtteil]' } } };
    expect(formProblems(placeholder, german)).toEqual([
      { field: 'texts.de-DE.headline', message: 'fill in the placeholder [Stadtteil]' },
    ]);
    expect(formProblems({ ...form, msgType: 'Update' }, policy)).toEqual([
      { field: 'references', message: 'an Update names the alert it answers' },
    ]);
  });
});
