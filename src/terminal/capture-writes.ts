/**
 * Takes over `write` of streams that show on the terminal, so that while a live view is on
 * screen no one else (a `console.log`, a function's log line, a Node warning) writes between
 * its redraws. What is written is handed over in whole lines; a partial line waits for its end.
 */

/** A writable stream as `process.stdout` is one. */
type WriteFn = NodeJS.WritableStream['write'];

// Cursor moves, erases and the like from a captured writer would break the live region's
// bookkeeping; only colours (SGR, `…m`) are kept.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what the pattern is about.
const CONTROL_SEQUENCE = /\u001b\[[0-9;?]*[A-La-ln-z]/g;

/**
 * Captures writes to `streams` until the returned function is called, which restores them and
 * hands over what is left of a partial line. `onLine` receives each line without its newline.
 */
export function captureWrites(streams: NodeJS.WritableStream[], onLine: (line: string) => void): () => void {
  const restores = [...new Set(streams)].map((stream) => {
    const original: WriteFn = stream.write;
    const ownProperty = Object.hasOwn(stream, 'write');
    let partial = '';
    const capture = (
      chunk: string | Uint8Array,
      encoding?: BufferEncoding | ((error?: Error | null) => void),
      callback?: (error?: Error | null) => void,
    ): boolean => {
      const done = typeof encoding === 'function' ? encoding : callback;
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      const lines = (partial + text.replace(CONTROL_SEQUENCE, '')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      if (done) process.nextTick(done);
      return true;
    };
    stream.write = capture as WriteFn;
    return () => {
      if (ownProperty) stream.write = original;
      else delete (stream as { write?: WriteFn }).write;
      if (partial) onLine(partial);
      partial = '';
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
}
