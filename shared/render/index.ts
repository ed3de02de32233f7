export { renderForPlatform, fitText, textLimit, ELLIPSIS, type RenderInput, type RenderOutcome } from './render';
export { measureText, graphemeCount, utf8ByteLength, countingUnit } from './measure';
