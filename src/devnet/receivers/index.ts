export { AlertReceivers } from "./alert-receivers.js";
export { receivedReadRoutes, receiverControlRoutes } from "./receiver-control-routes.js";
export {
  ALERT_CHANNELS,
  type AlertChannel,
  type AlertReceiversControl,
  type AlertReceiversStatus,
  type DevnetReceiversInfo,
  type ReceivedMessage,
} from "./receiver-types.js";
export { SLACK_WEBHOOK_PATH } from "./slack-webhook.js";
