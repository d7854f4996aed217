/** The Pulumi package name: the `name` of package.json, the first part of every type token (`platform-components:index:CanaryApp`). */
export const PACKAGE_NAME = "platform-components";
