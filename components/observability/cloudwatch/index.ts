export { AlarmDelivery, eventBridgeName, eventPattern, INPUT_PATHS, inputTemplate, PAGERDUTY_EVENTS_URL } from "./delivery";
export type { AlarmDeliveryArgs, AlarmReceiver } from "./delivery";
export { alarmName, alarmSpecs, CloudWatchAlarms } from "./alarms";
export type { AlarmSpec, CloudWatchAlarmsArgs } from "./alarms";
