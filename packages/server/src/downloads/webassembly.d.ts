// The little of the WebAssembly JS API that winzip-ctr.ts uses. TypeScript declares it only in
// its DOM library, which this Node project does not load, and @types/node 20 does not declare it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
