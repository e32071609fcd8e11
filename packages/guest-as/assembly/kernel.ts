// The Extism kernel (`extism:host/env`), declared here rather than imported from @extism/as-pdk so the SDK
// has no runtime dependency and no path to as-pdk's `Host.outputString` (it miscounts non-ASCII output).
// The u8 functions take and return wasm i32, as the kernel expects.

@external("extism:host/env", "input_length")
export declare function input_length(): u64;
@external("extism:host/env", "input_load_u8")
export declare function input_load_u8(offset: u64): u8;
@external("extism:host/env", "input_load_u64")
export declare function input_load_u64(offset: u64): u64;
@external("extism:host/env", "length")
export declare function length(handle: u64): u64;
@external("extism:host/env", "alloc")
export declare function alloc(size: u64): u64;
@external("extism:host/env", "free")
export declare function free(handle: u64): void;
@external("extism:host/env", "output_set")
export declare function output_set(handle: u64, size: u64): void;
@external("extism:host/env", "error_set")
export declare function error_set(handle: u64): void;
@external("extism:host/env", "store_u8")
export declare function store_u8(handle: u64, value: u8): void;
@external("extism:host/env", "load_u8")
export declare function load_u8(handle: u64): u8;
@external("extism:host/env", "store_u64")
export declare function store_u64(handle: u64, value: u64): void;
@external("extism:host/env", "load_u64")
export declare function load_u64(handle: u64): u64;
