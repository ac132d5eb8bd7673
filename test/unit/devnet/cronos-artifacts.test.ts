import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cronosArtifacts, pairInitCodeHash } from "../../../src/devnet/cronos/contract-artifacts.js";
import { DEVNET_AKT_SOURCE_SHA256 } from "../../../src/devnet/cronos/contracts/devnet-akt-artifact.js";

describe("devnet Cronos artifacts", () => {
  it("the committed AKT artifact was compiled from the committed DevnetAkt.sol", () => {
    const source = readFileSync(
      new URL("../../../src/devnet/cronos/contracts/DevnetAkt.sol", import.meta.url),
    );
    expect(createHash("sha256").update(source).digest("hex")).toBe(DEVNET_AKT_SOURCE_SHA256);
  });

  it("the AKT ABI has send_to_ibc and __CronosSendToIbc with Cronos's signatures", () => {
    const { abi } = cronosArtifacts().akt;
    expect(abi.getFunction("send_to_ibc")?.format("sighash")).toBe("send_to_ibc(string,uint256)");
    const event = abi.getEvent("__CronosSendToIbc");
    expect(event?.format("sighash")).toBe("__CronosSendToIbc(address,string,uint256)");
    expect(event?.inputs.some((i) => i.indexed)).toBe(false);
  });

  it("Router02's bytecode embeds the init code hash of the shipped pair bytecode", () => {
    const artifacts = cronosArtifacts();
    const hash = pairInitCodeHash(artifacts);
    expect(hash).toBe("0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f");
    expect(artifacts.router.bytecode.includes(hash.slice(2))).toBe(true);
  });
});
