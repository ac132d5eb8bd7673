import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAgentStore } from "../../src/services/store/index.js";
import { runCli } from "../../support/run-cli.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "family-cli-"));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  const { rmSync } = await import("node:fs");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const EXPIRES = Date.UTC(2027, 0, 1);

const CHILD_B_CRONOS = "0x00000000000000000000000000000000000C0FFE";

/** A parent's store with two children: one active with a budget and heartbeats, one just born. */
function seededDataDir(): string {
  const dataDir = tempDir();
  const store = openAgentStore({ dataDir, clock: () => Date.UTC(2026, 11, 1) });
  store.children.register({
    index: 0,
    id: "agent-0000000000000000000000000000000a",
    addresses: { akash: "akash1childa", nostr: "npub1childa" },
    role: "replica",
    region: "eu-west",
  });
  store.children.setBudget("agent-0000000000000000000000000000000a", {
    limitUact: "50000000",
    feeLimitUakt: "5000000",
    expiresAt: EXPIRES,
  });
  store.children.recordLease("agent-0000000000000000000000000000000a", {
    dseq: "1234",
    provider: "akash1provider",
    generation: 1,
  });
  store.children.setState("agent-0000000000000000000000000000000a", "active");
  store.children.noteHeartbeat("agent-0000000000000000000000000000000a", Date.UTC(2026, 11, 1, 12));
  store.children.register({
    index: 1,
    id: "agent-0000000000000000000000000000000b",
    addresses: { akash: "akash1childb", nostr: "npub1childb", cronos: CHILD_B_CRONOS },
    role: "specialized",
  });
  store.close();
  return dataDir;
}

describe("akash-agent family", () => {
  it("--json lists every child with exactly the issue's keys (and a few beside them)", async () => {
    const result = await runCli(["family", "--data", seededDataDir(), "--json"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { children: Record<string, unknown>[] };
    expect(Object.keys(output)).toEqual(["children"]);
    expect(output.children).toHaveLength(2);
    for (const child of output.children) {
      expect(Object.keys(child).sort()).toEqual(
        [
          "agentId",
          "akash",
          "npub",
          "dseq",
          "provider",
          "state",
          "lastHeartbeat",
          "budget",
          "index",
          "role",
          "region",
          "generation",
          "cro",
        ].sort(),
      );
      expect(Object.keys(child.budget as object).sort()).toEqual(["expiresAt", "limitUact", "spentUact"]);
    }
    expect(output.children[0]).toEqual({
      agentId: "agent-0000000000000000000000000000000a",
      akash: "akash1childa",
      npub: "npub1childa",
      dseq: "1234",
      provider: "akash1provider",
      state: "active",
      lastHeartbeat: "2026-12-01T12:00:00.000Z",
      budget: { limitUact: "50000000", spentUact: null, expiresAt: "2027-01-01T00:00:00.000Z" },
      index: 0,
      role: "replica",
      region: "eu-west",
      generation: 1,
      cro: null,
    });
    expect(output.children[1]).toMatchObject({
      agentId: "agent-0000000000000000000000000000000b",
      state: "born",
      dseq: null,
      lastHeartbeat: null,
      budget: { limitUact: null, spentUact: null, expiresAt: null },
      // Its Cronos address from the registry; its CRO is not readable without the devnet's URL.
      cro: { address: CHILD_B_CRONOS, balanceWei: null },
    });
    expect(result.stderr).toMatch(
      /no Cronos endpoint to read the children's CRO from .*: balanceWei is null/,
    );
    // The devnet's chain cannot be read without its control URL: said on stderr, not guessed.
    expect(result.stderr).toMatch(/cannot read the grants on chain .*--devnet-url.*: spentUact is null/);
  });

  it("without --json prints a table, one line per child", async () => {
    const result = await runCli(["family", "--data", seededDataDir()]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^#\s+AGENT\s+STATE\s+DSEQ\s+PROVIDER\s+LAST HEARTBEAT\s+SPENT \/ BUDGET$/);
    expect(lines[1]).toMatch(
      /^0\s+agent-0+a\s+active\s+1234\s+akash1provider\s+2026-12-01T12:00:00.000Z\s+\? \/ 50 ACT$/,
    );
    expect(lines[2]).toMatch(/^1\s+agent-0+b\s+born\s+-\s+-\s+never\s+\? \/ \? ACT$/);
  });

  it("says so when there are no children", async () => {
    const dataDir = tempDir();
    openAgentStore({ dataDir }).close();
    const json = await runCli(["family", "--data", dataDir, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ children: [] });
    expect(json.stderr).toBe("");
    expect((await runCli(["family", "--data", dataDir])).stdout).toBe("no children yet\n");
  });

  it("refuses a --data that is not there or holds no agent state, with a one-line error and exit code 2", async () => {
    const missing = join(tempDir(), "nowhere");
    const absent = await runCli(["family", "--data", missing]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toBe(
      `akash-agent: no directory ${missing}: point --data at the parent agent's data directory\n`,
    );
    const empty = tempDir();
    const noStore = await runCli(["family", "--data", empty, "--json"]);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toBe(
      `akash-agent: no agent state in ${empty}: point --data at the directory the agent ran with\n`,
    );
  });
});
