/**
 * A stand-in parent process for crash tests: runs one child's birth (`runChildBootstrap`) and prints
 * where the child lives. A test SIGKILLs it mid-birth and runs the birth again on the same data dir.
 * Input: BIRTH_INPUT (JSON: everything but the keys and the CLI) and BIRTH_CHILD_MNEMONIC.
 */
import { configSchema } from "../../src/config/schema.js";
import { ownCliCommand } from "../../src/devnet/agent-entry-point.js";
import { type ChildRunInput, runChildBootstrap } from "../../src/services/family/index.js";
import { parseMnemonic } from "../../src/services/keys/index.js";

type BirthInput = Omit<ChildRunInput, "cli" | "childMnemonic" | "parentConfig" | "signal" | "onProgress"> & {
  devnetUrl: string;
};

const input = JSON.parse(process.env.BIRTH_INPUT ?? "{}") as BirthInput;
const { devnetUrl, ...rest } = input;
const born = await runChildBootstrap({
  ...rest,
  cli: ownCliCommand(),
  parentConfig: configSchema.parse({ network: "devnet", devnet: { url: devnetUrl } }),
  childMnemonic: parseMnemonic(process.env.BIRTH_CHILD_MNEMONIC ?? "", "BIRTH_CHILD_MNEMONIC"),
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(born)}\n`);
