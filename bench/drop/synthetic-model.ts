/**
 * A model folder of a chosen size for drop benchmarks and memory tests: safetensors-like shards
 * of incompressible bytes plus the small files a Hugging Face model has. Written outside the
 * repository by the caller (os.tmpdir()), removed by the caller.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MIB = 1024 * 1024;

export interface SyntheticModel {
  folder: string;
  /** Bytes of all files. */
  bytes: number;
  files: string[];
}

/**
 * Writes `shards` shard files of `shardBytes` each into `folder`. Shards are random bytes (a
 * random 16 MiB block, each MiB stamped with its position, so no two MiB are alike and gzip finds
 * nothing to compress), like bf16 weights as far as deflate can tell.
 */
export function writeSyntheticModel(
  folder: string,
  options: { shards: number; shardBytes: number },
): SyntheticModel {
  mkdirSync(folder, { recursive: true });
  const block = randomBytes(16 * MIB);
  const files: string[] = [];
  let bytes = 0;
  const write = (name: string, body: string) => {
    writeFileSync(join(folder, name), body);
    files.push(name);
    bytes += Buffer.byteLength(body);
  };
  write(
    'config.json',
    `${JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16' }, null, 2)}\n`,
  );
  write('generation_config.json', '{"bos_token_id": 1, "eos_token_id": 2}\n');
  write('tokenizer_config.json', '{"model_max_length": 8192}\n');
  write(
    'tokenizer.json',
    `${JSON.stringify({ version: '1.0', model: { vocab: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`t${i}`, i])) } })}\n`,
  );
  const weightMap: Record<string, string> = {};
  for (let s = 1; s <= options.shards; s++) {
    const name = `model-${String(s).padStart(5, '0')}-of-${String(options.shards).padStart(5, '0')}.safetensors`;
    const fd = openSync(join(folder, name), 'w');
    try {
      for (let at = 0; at < options.shardBytes; at += MIB) {
        const length = Math.min(MIB, options.shardBytes - at);
        const offset = (at + s * 7 * MIB) % (15 * MIB);
        const chunk = Buffer.from(block.subarray(offset, offset + length));
        if (length >= 8) {
          chunk.writeUInt32LE(s, 0);
          chunk.writeUInt32LE(at / MIB, 4);
        }
        writeSync(fd, chunk);
      }
    } finally {
      closeSync(fd);
    }
    files.push(name);
    bytes += options.shardBytes;
    weightMap[`layers.${s}.weight`] = name;
  }
  write(
    'model.safetensors.index.json',
    `${JSON.stringify({ metadata: { total_size: options.shards * options.shardBytes }, weight_map: weightMap })}\n`,
  );
  return { folder, bytes, files };
}
