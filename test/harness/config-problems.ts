/** Config tests: a stack file's config with one change, parsed; the problem lines (fails when it parses). */
import * as assert from "node:assert/strict";
import { ConfigError, parsePlatformConfig } from "../../stacks/config";
import { readStackConfig, withPlaceholderSecrets } from "../../lib/offline/stack";

export function configProblems(mutate: (v: Record<string, any>) => void, stack = "prod"): string[] {
    const values = structuredClone(readStackConfig(stack)) as Record<string, any>;
    withPlaceholderSecrets(values);
    mutate(values);
    try {
        parsePlatformConfig({ project: "platform", stack, values });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        assert.match(e.message, new RegExp(`^Invalid platform config \\(Pulumi\\.${stack}\\.yaml\\):`));
        return e.problems;
    }
    assert.fail("config was accepted");
}
