import { describeCrashMatrix } from "./crash-matrix-suite.js";
import { DEPLOY_STATES } from "./crash-rows.js";

/** The states from accepting the bid to an active lease (the other half is crash-resume-deploy-ordering). */
const LEASING = DEPLOY_STATES.slice(DEPLOY_STATES.indexOf("accepting_bid"));

describeCrashMatrix(
  "deploy flow, each lease state from the bid on",
  (row) =>
    row.flow === "deploy" &&
    row.kill.kind === "state" &&
    (LEASING as readonly string[]).includes(row.kill.state),
);
