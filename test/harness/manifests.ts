/**
 * Manifests shared by the policy tests: a Deployment that meets every resource policy (pinned by
 * digest, requests and limits, hardened container), as `kubectl apply` input would be written.
 */

/** The digest the compliant Deployment's image is pinned to. */
export const DIGEST = "sha256:" + "b".repeat(64);

/** One compliant Deployment (apps/web) as YAML text. */
export const COMPLIANT_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web@${DIGEST}
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 500m, memory: 128Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true }
`;
