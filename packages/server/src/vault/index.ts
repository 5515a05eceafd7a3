/** Encryption at rest and server secrets: master key, subkeys, Secrets and ChunkVault adapters. */
export { createNodeSecrets } from './node-secrets.js';
export { loadOrCreateMasterKey, MASTER_KEY_FILE } from './master-key.js';
export { createChunkVault, DEFAULT_SEGMENT_SIZE, type ChunkVaultOptions } from './chunk-vault.js';
export { chunkKey, encryptedChunkSize, legacyChunkKey } from './chunk-layout.js';
export { deriveSubkey, MASTER_KEY_BYTES, SUBKEY_INFO, type SubkeyPurpose } from './key-derivation.js';
