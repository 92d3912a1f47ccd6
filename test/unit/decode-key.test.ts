import { describe, expect, it } from 'vitest';
import { decodeS3Key, encodeS3Key } from '../../src/drop/decode-key';
import { InvalidDropError } from '../../src/errors';

describe('decodeS3Key', () => {
  it.each([
    ['models/tiny-llm.tar.gz', 'models/tiny-llm.tar.gz'],
    ['models/my+model.tar.gz', 'models/my model.tar.gz'],
    ['models/c%2B%2B-model.tar.gz', 'models/c++-model.tar.gz'],
    ['models/caf%C3%A9/optimization.json', 'models/café/optimization.json'],
    ['models/%E6%A8%A1%E5%9E%8B+v2.tar.gz', 'models/模型 v2.tar.gz'],
    ['models/a%2Fb.tar.gz', 'models/a/b.tar.gz'],
    ['models/100%25.tar.gz', 'models/100%.tar.gz'],
  ])('decodes %s to %s', (raw, decoded) => {
    expect(decodeS3Key(raw)).toBe(decoded);
  });

  it('rejects malformed percent-encoding with the key in the message', () => {
    expect(() => decodeS3Key('models/bad%E0%A4.tar.gz')).toThrow(InvalidDropError);
    expect(() => decodeS3Key('models/bad%E0%A4.tar.gz')).toThrow(/bad%E0%A4/);
  });

  it('round-trips keys with spaces, plus signs and unicode through encodeS3Key', () => {
    for (const key of [
      'models/my model+v2 é/optimization.json',
      'models/x (1)!.tar.gz',
      'models/100%.tar.gz',
    ]) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
  });
});
