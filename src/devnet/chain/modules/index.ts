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
import { feegrantEndBlocker, feegrantHandlers } from "./feegrant.js";
import { marketHandlers } from "./market.js";
import { providerHandlers } from "./provider.js";

const handlersByUrl = new Map<string, MsgHandler>();

/** Every message type the devnet chain executes. */
export const ALL_HANDLERS: readonly MsgHandler[] = [
  ...bankHandlers,
  ...authzHandlers((typeUrl) => handlersByUrl.get(typeUrl)),
  ...feegrantHandlers,
  ...deploymentHandlers,
  ...groupHandlers,
  ...marketHandlers,
  ...escrowHandlers,
  ...bmeHandlers,
  ...certHandlers,
  ...providerHandlers,
];

for (const handler of ALL_HANDLERS) handlersByUrl.set(handler.typeUrl, handler);

/** EndBlock order: BME epoch mints first, then escrow pays every lease for the block, then feegrant prunes. */
export const END_BLOCKERS: readonly EndBlocker[] = [
  bmeEndBlocker,
  (ctx) => settleAllAccounts(ctx),
  feegrantEndBlocker,
];
