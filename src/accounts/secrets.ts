/**
 * Second-factor keys are sealed at rest by the secrets module (envelope encryption with
 * versioned master keys and per-owner data keys); see src/secrets/secret-store.ts.
 */
export {
  createSecretStore,
  type SecretBinding,
  type SecretStore,
  totpSecretBinding,
} from "../secrets/secret-store.js";
