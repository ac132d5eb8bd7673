import type { EndBlocker } from "../chain.js";
import type { MsgHandler } from "../msg-handler.js";
import { authzHandlers } from "./authz.js";
import { bankHandlers } from "./bank.js";
import { bmeEndBlocker, bmeHandlers } from "./bme.js";
import { certHandlers } from "./cert.js";
import { deploymentHandlers } from "./deployment.js";
import { groupHandlers } from "./deployment-groups.js";
import { escrowHandlers } from "./escrow.js";
import { settleAllAccounts } from "./escrow-keeper.js";
import { marketHandlers } from "./market.js";
import { providerHandlers } from "./provider.js";

/** Every message type the devnet chain executes. */
export const ALL_HANDLERS: readonly MsgHandler[] = [
  ...bankHandlers,
  ...authzHandlers,
  ...deploymentHandlers,
  ...groupHandlers,
  ...marketHandlers,
  ...escrowHandlers,
  ...bmeHandlers,
  ...certHandlers,
  ...providerHandlers,
];

/** EndBlock order: BME epoch mints first, then escrow pays every lease for the block. */
export const END_BLOCKERS: readonly EndBlocker[] = [bmeEndBlocker, (ctx) => settleAllAccounts(ctx)];
