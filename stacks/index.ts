/**
 * Pulumi entry point (`main` in Pulumi.yaml): validate the stack's config, build the platform and
 * return the stack outputs. Invalid config stops here, before any resource is registered, with one
 * message listing every problem (RunError prints it without a stack trace).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadPlatformConfig } from "./config";
import { assertBootstrapSafe } from "../components/ci/bootstrap-guard";
import { buildCiBootstrap, buildPlatform } from "./platform";

export = async () => {
    try {
        const cfg = loadPlatformConfig();
        if (!cfg.ciBootstrap) return buildPlatform(cfg).outputs;
        // platform:ciBootstrap: the first deploy of a new account/region builds the network and the CI runner only (docs/deploy.md).
        // It refuses, before registering anything, when the stack's platform exists (it would delete it).
        await assertBootstrapSafe({ prefix: `${cfg.project}-${cfg.stack}`, environment: cfg.environment });
        return buildCiBootstrap(cfg).outputs;
    } catch (e) {
        // Invalid config, or a build precondition (e.g. supplyChain.platformImages.requirePinned) that fails before any resource.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
};
