import { LogLineSplitter } from '../../../../local/runner/lambda/log-lines';

describe('LogLineSplitter', () => {
  function split(chunks: string[], flush = false) {
    const events: string[] = [];
    const splitter = new LogLineSplitter('<END>', (line) => events.push(`line:${line}`), (tag) => events.push(`end:${tag}`));
    chunks.forEach((chunk) => splitter.push(chunk));
    if (flush) {
      splitter.flush();
    }
    return events;
  }

  test('joins lines split across chunks and drops carriage returns', () => {
    expect(split(['a', 'b\r\nc\n', 'd'])).toEqual(['line:ab', 'line:c']);
    expect(split(['d'], true)).toEqual(['line:d']);
  });

  test('a marker ends a phase, and text before it on the same line is a line of its own', () => {
    expect(split(['one\npartial<END>req-1\nnext\n'])).toEqual(['line:one', 'line:partial', 'end:req-1', 'line:next']);
  });
});
