/** The `model-opt` entry point (bin/model-opt.js runs it through tsx). */
import { CommanderError } from 'commander';
import { EXIT_CODES } from './errors';
import { buildProgram } from './program';

const program = buildProgram();
program.exitOverride();
for (const command of program.commands) command.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version end with exit code 0; bad usage is 4 like every usage error.
  process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (error.exitCode !== 0 && process.argv.includes('--json')) {
    const message = error.message.replace(/^error: /, '');
    process.stdout.write(`${JSON.stringify({ error: { name: 'UsageError', message } }, null, 2)}\n`);
  }
}
