import type { CronosClient, CronosPolicy, CronosStepHook } from "../services/cronos/index.js";

/** The treasury's Cronos side, when the network has one configured: the client and how it spends. */
export interface CronosTreasury {
  client: CronosClient;
  policy: CronosPolicy;
  /** Crash tests stop the agent at a step of a leg. */
  onStep?: CronosStepHook;
  /** On the devnet only: sends CRO to the agent's EVM address from the Cronos faucet. */
  faucet?: (address: string, wei: bigint) => Promise<void>;
  /** Whether the devnet run funds the Akash account too (`run --fund cro-only` says no). */
  fundAkash: boolean;
}
