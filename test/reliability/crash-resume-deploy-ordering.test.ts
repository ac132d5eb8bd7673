import { describeCrashMatrix } from "./crash-matrix-suite.js";
import { DEPLOY_STATES } from "./crash-rows.js";

/** The states up to the winning bid (the other half is crash-resume-deploy-leasing). */
const ORDERING = DEPLOY_STATES.slice(0, DEPLOY_STATES.indexOf("accepting_bid"));

describeCrashMatrix(
  "deploy flow, each lease state up to the bid",
  (row) =>
    row.flow === "deploy" &&
    row.kill.kind === "state" &&
    (ORDERING as readonly string[]).includes(row.kill.state),
);
