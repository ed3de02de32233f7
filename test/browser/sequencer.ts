import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The browser files share one local stack. The Channels file adds channels to its organisations for
 * good (a channel is retired, never deleted), which changes what every other file's composer offers:
 * it runs last.
 */
const CHANGES_THE_CHANNELS = /test\/browser\/channels\.test\.ts$/;

export default class BrowserSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [
      ...sorted.filter((file) => !CHANGES_THE_CHANNELS.test(file.moduleId)),
      ...sorted.filter((file) => CHANGES_THE_CHANNELS.test(file.moduleId)),
    ];
  }
}
