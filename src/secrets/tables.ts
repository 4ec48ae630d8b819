/** Tables owned by the secrets module, and what each column holds. */
import { notPersonal, type TableNotes } from "../privacy/data-map.js";

/**
 * Data keys: one or more generations per owner (an organisation, or `system` for secrets that
 * belong to no organisation). The newest generation seals; older ones still open what they
 * sealed until `ally keys rotate --data-keys` re-encrypts it.
 */
export interface DataKeysTable {
  /** `dk_…`, named in every ciphertext it seals. */
  id: string;
  /** The organisation id, or `system`. */
  scope: string;
  /** Set for an organisation's keys, so closing the organisation destroys them. */
  organisation_id: string | null;
  generation: number;
  /** The data key, AES-256-GCM under master key `master_version`: `<iv>.<ct>.<tag>`. */
  wrapped_key: string;
  master_version: number;
  created_at: number;
  /** When a newer generation replaced it; it still opens older ciphertexts. */
  retired_at: number | null;
}

export interface SecretsTables {
  data_keys: DataKeysTable;
}

export const secretsDataMap: TableNotes<SecretsTables> = {
  data_keys: {
    id: notPersonal,
    scope: notPersonal,
    organisation_id: notPersonal,
    generation: notPersonal,
    // A credential, not personal data: it is random key material, wrapped under the master key.
    wrapped_key: notPersonal,
    master_version: notPersonal,
    created_at: notPersonal,
    retired_at: notPersonal,
  },
};
