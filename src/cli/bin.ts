// cli: the bundle's entry (dist-cli/lowbit.mjs, built by scripts/build-cli.mjs): runs main on process.argv and exits with its code.
import { main } from './main';

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progress: process.stderr.isTTY === true,
});
// Exit explicitly: a Dawn instance keeps Node's event loop alive after its device is destroyed.
process.stdout.write('', () => process.exit(code));
