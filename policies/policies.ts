/** Every policy of the pack, passed explicitly (no registration by import side effects). */
import { awsBaseline } from "./aws/baseline";
import { drTargets } from "./dr/targets";
import { containerResources } from "./kubernetes/limits";
import { imagePinning } from "./supply-chain/images";
import type { Policy } from "./lib/types";

export const ALL_POLICIES: Policy[] = [...awsBaseline, containerResources, imagePinning, drTargets];
