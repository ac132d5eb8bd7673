export {
  type CanaryProbe,
  type CanaryStatus,
  probeCanary,
  type SelfTestReport,
  type SelfTestState,
  selfTestStates,
} from "./canary-status.js";
export { settingsWithImage } from "./settings-with-image.js";
