/** @quarry/testing: shared test helpers and contract suites. Test code only; production never imports it. */
export { makeTempDir } from './temp-dir.js';
export { describeBlobStoreContract, type BlobStoreFactory } from './blob-store-contract.js';
export { readAll, chunked } from './streams.js';
export {
  ALL_DIALECTS,
  DIALECTS,
  TEST_DATABASE_URL,
  describeAcrossDialects,
  describeEachDialect,
  dialectUnavailable,
  makeTestDatabase,
  type TestDatabase,
  type TestDatabaseOptions,
  type TestDatabaseTemplate,
  type TestDialect,
} from './dialects.js';
