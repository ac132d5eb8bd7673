import { describe, expect, it } from "vitest";
import { buildProgram, COMMAND_NAMES } from "../../../src/cli/program.js";

const namesOf = async (args?: readonly string[]) => (await buildProgram(args)).commands.map((c) => c.name());

describe("the command tree", () => {
  it("has every command, in help order, when none is named", async () => {
    expect(await namesOf()).toEqual(COMMAND_NAMES);
    expect(await namesOf(["--bogus"])).toEqual(COMMAND_NAMES);
    expect(COMMAND_NAMES).toEqual(
      expect.arrayContaining(["init", "keys", "run", "status", "devnet", "admin"]),
    );
  });

  it("loads only the commands named in the arguments, even behind global options", async () => {
    expect(await namesOf(["--data", "dir", "keys", "show", "--json"])).toEqual(["keys"]);
    // An option value that spells a command loads that one too; the parse still finds `run`.
    expect(await namesOf(["--data", "status", "run"])).toEqual(["run", "status"]);
  });
});
