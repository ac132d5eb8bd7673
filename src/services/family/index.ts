export {
  type ChildIdentityRef,
  type ChildLocation,
  type ChildRunInput,
  childCliRun,
  childRunArgs,
  childSettingsOf,
  parseHandedOver,
  runChildBootstrap,
} from "./child-bootstrap.js";
export { CHILD_RUN_PID_FILE, type ChildCliOutcome, type ChildCliRun, runChildCli } from "./child-cli-run.js";
export {
  type ChildParent,
  type ChildSettings,
  type ChildSettingValue,
  childEnvironment,
} from "./child-environment.js";
export { ChildRunFailedError, ChildRunInterruptedError, FamilyError } from "./family-errors.js";
export {
  adoptKnownLeader,
  type KnownChildLease,
  RESURRECTION_FILE,
  type RestoredBackup,
  type ResurrectionInput,
  type ResurrectionOutcome,
  resurrectChild,
  resurrectUnlessAlive,
} from "./resurrect-child.js";
