import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCOUNT_ID, definition, REGION, SDK_MODULES, temporaryDirectory } from './support';
import { LocalFunctions, writeInlineCode } from '../../../../local/runner/lambda';

describe('writeInlineCode', () => {
  let root: string;
  beforeAll(() => {
    root = temporaryDirectory('inline-code-test');
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('writes Code.ZipFile as index.js in the (created) directory and returns it', () => {
    const directory = path.join(root, 'nested', 'fn');
    expect(writeInlineCode('exports.handler = async () => 1;', directory)).toBe(directory);
    expect(fs.readFileSync(path.join(directory, 'index.js'), 'utf8')).toBe('exports.handler = async () => 1;');
  });

  test('the written code runs as index.handler', async () => {
    const directory = writeInlineCode('exports.handler = async (event) => ({ inline: event.x, region: process.env.AWS_REGION });', path.join(root, 'runs'));
    const functions = new LocalFunctions({ region: REGION, accountId: ACCOUNT_ID, serviceEndpoints: {}, sdkModulesDirectory: SDK_MODULES });
    try {
      functions.add(definition('inline', directory));
      expect((await functions.invoke('inline', { x: 'yes' })).payload).toEqual({ inline: 'yes', region: REGION });
    } finally {
      await functions.close();
    }
  });
});
