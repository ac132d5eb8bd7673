import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { AGENT_MACHINE_ID } from "../../runtime/agent-runtime.js";
import { type AgentStore, type ChildAgent, openAgentStore } from "../../services/store/index.js";
import { cliContext, print } from "../cli-options.js";
import { requireSavedAgentState } from "../saved-agent-state.js";
import { readChildrenCro } from "./family-cro.js";
import { type DepositGrantReader, depositGrantReader } from "./family-grants.js";
import { type FamilyChildView, familyChildView, familyTable, type GrantReading } from "./family-view.js";

/** The agent's own akash address from its saved state: the granter of its children's grants. */
function parentAddress(store: AgentStore): string | null {
  const latest = store.snapshots.latest(AGENT_MACHINE_ID);
  if (!latest) return null;
  const root = JSON.parse(latest.snapshotJson) as {
    context?: { loaded?: { identity?: { akash?: unknown } } };
  };
  const akash = root.context?.loaded?.identity?.akash;
  return typeof akash === "string" ? akash : null;
}

function warn(line: string): void {
  process.stderr.write(`akash-agent: ${line}\n`);
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Each child's grant as the chain has it; when the chain cannot be read, every reading says so. */
async function readGrants(
  children: readonly ChildAgent[],
  connect: () => Promise<DepositGrantReader>,
): Promise<GrantReading[]> {
  const unread: GrantReading[] = children.map(() => ({ read: false }));
  const funded = children.filter((child) => child.budget !== null && child.addresses.akash);
  if (funded.length === 0) return unread;
  let reader: DepositGrantReader;
  try {
    reader = await connect();
  } catch (error) {
    warn(`cannot read the grants on chain (${reason(error)}): spentUact is null`);
    return unread;
  }
  try {
    return await Promise.all(
      children.map(async (child): Promise<GrantReading> => {
        if (child.budget === null || !child.addresses.akash) return { read: false };
        const left = await reader(child.addresses.akash);
        if (left === null) {
          warn(
            `no deposit grant on chain for ${child.id} (not granted yet, revoked or expired): spentUact is null`,
          );
        }
        return { read: true, left };
      }),
    );
  } catch (error) {
    warn(`cannot read the grants on chain (${reason(error)}): spentUact is null`);
    return unread;
  }
}

export function registerFamilyCommand(program: Command): void {
  program
    .command("family")
    .description(
      "list the agent's children from its database (--data) with what each has spent of its budget on chain",
    )
    .option(
      "--devnet-url <url>",
      "control URL of a running `akash-agent devnet` to read the grants from (devnet only)",
    )
    .option(
      "--json",
      'one JSON line { "children": [{ "agentId", "akash", "npub", "dseq", "provider", "state", "lastHeartbeat", "budget": { "limitUact", "spentUact", "expiresAt" }, "index", "role", "region", "generation", "cro": { "address", "balanceWei" } }] }',
    )
    .action(async (options: { json?: boolean; devnetUrl?: string }, command: Command) => {
      const { config } = cliContext(command, { "devnet.url": options.devnetUrl });
      if (!existsSync(config.dataDir) || !statSync(config.dataDir).isDirectory()) {
        throw new UsageError(
          `no directory ${config.dataDir}: point --data at the parent agent's data directory`,
        );
      }
      requireSavedAgentState(config.dataDir, "family");
      const store = openAgentStore({ dataDir: config.dataDir, readOnly: true });
      let children: ChildAgent[];
      let granter: string | null;
      try {
        children = store.children.all();
        granter = parentAddress(store);
      } finally {
        store.close();
      }
      const [grants, cro] = await Promise.all([
        readGrants(children, () => depositGrantReader(config, granter)),
        readChildrenCro(config, children, warn),
      ]);
      const views: FamilyChildView[] = children.map((child, i) =>
        familyChildView(child, grants[i]!, cro[i] ?? null),
      );
      if (options.json) print(JSON.stringify({ children: views }));
      else for (const line of familyTable(views)) print(line);
    });
}
