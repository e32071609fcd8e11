// Number formatting for JSON. Integers are written exactly; other finite numbers use AssemblyScript's
// dtoa, whose last digit is sometimes off for 17-digit values (0.30000000000000004 prints as …07), so the
// result is checked against parseFloat and the last digit nudged until it round-trips.

/** A finite number as JSON text; NaN and ±Infinity (not representable in JSON) become `null`. */
export function formatNumber(value: f64): string {
  if (!isFinite(value)) return "null";
  if (value == Math.floor(value) && Math.abs(value) < 9007199254740992.0) {
    if (value == 0) return "0";
    return (<i64>value).toString();
  }
  const text = value.toString();
  if (parseFloat(text) == value) return stripPointZero(text);
  // Find the mantissa's last digit and try its neighbours.
  let e = text.indexOf("e");
  if (e < 0) e = text.length;
  const last = text.charCodeAt(e - 1) - 0x30;
  const head = text.substring(0, e - 1);
  const tail = text.substring(e);
  for (let delta = 1; delta <= 5; delta++) {
    for (let sign = -1; sign <= 1; sign += 2) {
      const digit = last + sign * delta;
      if (digit < 0 || digit > 9) continue;
      const candidate = head + String.fromCharCode(0x30 + digit) + tail;
      if (parseFloat(candidate) == value) return stripPointZero(candidate);
    }
  }
  return stripPointZero(text);
}

function stripPointZero(text: string): string {
  return text.endsWith(".0") ? text.substring(0, text.length - 2) : text;
}
