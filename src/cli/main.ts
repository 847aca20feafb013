// cli: the `lowbit` command: picks the subcommand, prints help, and turns failures into messages and exit codes (docs/CLI.md).
import { GpuUnavailableError } from '../gpu/errors';
import { ModelLoadError } from '../model/types';
import { EXIT, InputError, UsageError } from './errors';
import { EVAL_HELP, evalCommand } from './eval';
import type { Output } from './format';
import { QUANTIZE_HELP, quantizeCommand } from './quantize';
import { RUN_HELP, runCommand } from './run';

const COMMANDS: Readonly<Record<string, { run: (argv: readonly string[], io: Output) => Promise<number>; help: string }>> = {
  run: { run: runCommand, help: RUN_HELP },
  quantize: { run: quantizeCommand, help: QUANTIZE_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
};

export const HELP = `lowbit: the quantization playground's engine on the command line (docs/CLI.md)

Commands:
  lowbit run <link | spec.json>      the numbers and checksum a link shows in the browser
  lowbit quantize --recipe … --in … --out …
                                     a tensor (.npy) or a model (safetensors, GGUF) quantized
  lowbit eval --model … --text …     perplexity and KL of a model with and without a recipe

Examples:
  lowbit run 'https://example.org/lowbit/#s=1.TY5RboQw…' --backend cpu
  lowbit quantize --recipe llama-q4_0 --in weights.npy --out weights-q4_0.npy
  lowbit eval --model ./SmolLM2-135M --text wiki.txt --recipe gptq-int4-g128

lowbit <command> --help says more. Exit codes: 0 done, 1 an input could not be used, 2 a wrong
command line, 3 a bug in lowbit.`;

/**
 * Runs the command line `argv` (without node and the script) and resolves to the exit code;
 * results go to `io.out`, notes, progress and error messages to `io.err`. Never rejects.
 */
export async function main(argv: readonly string[], io: Output): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`lowbit: there is no command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. See lowbit --help.\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) { io.err(`lowbit ${name}: ${e.message}\n`); return EXIT.usage; }
    if (e instanceof InputError || e instanceof ModelLoadError || e instanceof GpuUnavailableError) {
      io.err(`lowbit ${name}: ${e.message}\n`);
      return EXIT.input;
    }
    io.err(`lowbit ${name}: unexpected failure: ${e instanceof Error ? e.stack ?? e.message : String(e)}\nThis is a bug in lowbit: please report it with the command line that caused it.\n`);
    return EXIT.internal;
  }
}
