// Types for the Emscripten build shipped by @echogarden/pffft-wasm (it ships none).
declare module '@echogarden/pffft-wasm/simd' {
  import type {PffftModule} from './pffft-module.js'
  const factory: () => Promise<PffftModule>
  export default factory
}

declare module '@echogarden/pffft-wasm' {
  import type {PffftModule} from './pffft-module.js'
  const factory: () => Promise<PffftModule>
  export default factory
}
