import { readFileSync } from 'node:fs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { accountWideNames, physicalNames } from './names';
import { synthHerold } from './synth';

/**
 * Every name the stack `Herold` gave its resources before stages existed. A name that changes makes
 * CloudFormation replace the resource: a new empty queue, a new function, and for anything kept on
 * deletion (log groups) a leftover. The list may only grow.
 */
const NAMES_BEFORE_STAGES = JSON.parse(
  readFileSync(new URL('./default-names.json', import.meta.url), 'utf8'),
) as string[];

const defaultStage = synthHerold();
// "publish" shares its first word with the publishers' names (herold-publish-<platform>)
const stages = ['staging', 'publish'].map((stage) => ({ stage, ...synthHerold({ 'herold:stage': stage }) }));

describe('resource names', () => {
  it('keeps every name of the stack Herold without a stage', () => {
    expect(defaultStage.stack.stackName).toBe('Herold');
    expect(physicalNames(defaultStage.template)).toEqual(expect.arrayContaining(NAMES_BEFORE_STAGES));
  });

  it('names the stack and every named resource after the stage', () => {
    const [{ stack, template }] = stages as [(typeof stages)[number]];
    expect(stack.stackName).toBe('Herold-staging');
    const names = accountWideNames(template);
    expect(names.length).toBe(accountWideNames(defaultStage.template).length);
    for (const entry of names)
      expect(entry).toMatch(/: (\/aws\/lambda\/)?(herold|Herold)-staging|(secret:|schedule\/)herold-staging\//);
  });

  it('shares no account-wide name between the default stack and two stages', () => {
    const all = [defaultStage, ...stages].map(({ template }) => new Set(accountWideNames(template)));
    for (const [i, a] of all.entries())
      for (const b of all.slice(i + 1)) expect([...a].filter((name) => b.has(name))).toEqual([]);
  });

  it('grants each stage only its own channel secrets and message schedules', () => {
    const grants = accountWideNames(stages[0]!.template).filter((entry) => entry.startsWith('AWS::IAM grant'));
    expect(grants).toContain('AWS::IAM grant: secret:herold-staging/*');
    expect(grants).toContain('AWS::IAM grant: secret:herold-staging/threads/*');
    expect(grants).toContain('AWS::IAM grant: schedule/herold-staging/*');
    expect(stages[0]!.template.findOutputs('ChannelSecretPrefix')).toMatchObject({
      ChannelSecretPrefix: { Value: 'herold-staging/' },
    });
  });

  it('warns at synth when no alarm email is set, and not when one is', () => {
    expect(
      Annotations.fromStack(defaultStage.stack).findWarning('*', Match.stringLikeRegexp('herold:alarmEmail is empty')),
    ).toHaveLength(1);
    const withEmail = synthHerold({ 'herold:alarmEmail': 'leitstelle@dresden.example' });
    expect(
      Annotations.fromStack(withEmail.stack).findWarning('*', Match.stringLikeRegexp('herold:alarmEmail')),
    ).toHaveLength(0);
  });
});
