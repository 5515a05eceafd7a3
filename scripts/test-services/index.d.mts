/** Types for index.mjs, so TypeScript tests and benchmarks can start the services. */
export declare const TEST_S3: Readonly<{ accessKeyId: string; secretAccessKey: string; region: string; bucket: string }>;

export interface TestServicesEnv {
  QUARRY_TEST_S3_URL?: string;
  QUARRY_TEST_DATABASE_URL?: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
}

export interface TestServices {
  env: TestServicesEnv;
  /** Stops every started service and removes its directory; safe to call twice. */
  stop(): Promise<void>;
  /** One "service: reason" line per wanted service that is not running. */
  missing: string[];
}

export declare function startTestServices(options?: { baseDir?: string; want?: Array<'s3' | 'postgres'> }): Promise<TestServices>;
