import wabt from 'wabt';

type Wabt = Awaited<ReturnType<typeof wabt>>;
type Features = NonNullable<Parameters<Wabt['parseWat']>[2]>;

let instance: Promise<Wabt> | undefined;

/** Compiles WAT text to a module binary with wabt (loaded once per test file). */
export async function wat(
  source: string,
  features: Features = {},
  options: { debugNames?: boolean } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  instance ??= wabt();
  const module = (await instance).parseWat('test.wat', source, features);
  try {
    module.resolveNames();
    // wabt.js validates with its default features only, so modules that need a proposal skip it.
    if (Object.keys(features).length === 0) module.validate();
    return Uint8Array.from(module.toBinary({ write_debug_names: options.debugNames === true }).buffer);
  } finally {
    module.destroy();
  }
}
