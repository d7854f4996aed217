/**
 * Pulumi entry point (`main` in Pulumi.yaml): the orders service on the platform. Invalid config
 * stops here with one message naming each key.
 */
import { buildService, readServiceConfig } from "./service";

export = async () => buildService(readServiceConfig());
