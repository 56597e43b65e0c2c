/**
 * formatG17: a double as C's `printf("%.17g")` prints it, which is how Redis
 * 7.0 sends doubles (`ZSCORE` → `0.10000000000000001`). encodeReply uses it
 * for `doubleFormat: 'redis'`.
 *
 * JavaScript has no printf; toExponential(16) gives the same 17 digits
 * except at an exact tie (the double's decimal expansion ends in a 5 right
 * after the 17th digit, e.g. 1 + 2^-17 = 1.00000762939453125), where it
 * rounds away from zero and glibc rounds to even. Such ties are found by
 * asking for 18 digits and comparing them with the double exactly.
 */
/**
 * `x` as C's `printf("%.17g")` prints it: 17 significant digits,
 * rounded to nearest with ties to even as glibc does; exponent form
 * (`1e+20`, `1.5e-05`) when the exponent is below -4 or 17 and up, else
 * fixed; trailing zeros and a bare point dropped; `inf`, `-inf`, `nan`.
 * Seventeen digits always read back as the same double.
 */
export function formatG17(x: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const a = neg ? -x : x;
  // toExponential rounds ties away from zero; printf rounds them to even
  let e = a.toExponential(16);
  const wide = a.toExponential(17);
  if (wide.charCodeAt(18) === 0x35 /* 5 */ && isExact(a, wide)) {
    const cut = wide.slice(0, 18);
    if ((cut.charCodeAt(17) & 1) === 0) e = cut + wide.slice(19);
  }
  const ePos = e.indexOf('e');
  const exp = Number(e.slice(ePos + 1));
  const digits = e.charAt(0) + e.slice(2, ePos); // 17 digits
  let out: string;
  if (exp < -4 || exp >= 17) {
    const frac = stripZeros(digits.slice(1));
    const abs = exp < 0 ? -exp : exp;
    out = `${digits.charAt(0)}${frac === '' ? '' : '.' + frac}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  } else if (exp >= 0) {
    const frac = stripZeros(digits.slice(exp + 1));
    out = digits.slice(0, exp + 1) + (frac === '' ? '' : '.' + frac);
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + stripZeros(digits);
  }
  return neg ? '-' + out : out;
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x30) end--;
  return s.slice(0, end);
}

/** Whether `dec` (a toExponential text) is exactly the double `a` > 0, compared as integers. */
function isExact(a: number, dec: string): boolean {
  const ePos = dec.indexOf('e');
  const mant = dec.charAt(0) + dec.slice(2, ePos);
  const decExp = Number(dec.slice(ePos + 1)) - (mant.length - 1); // a = D * 10^decExp
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let binExp: number;
  if (biased === 0) binExp = -1074;
  else {
    m |= 1n << 52n;
    binExp = biased - 1075;
  } // a = m * 2^binExp
  let left = BigInt(mant);
  let right = m;
  if (decExp >= 0) left *= 10n ** BigInt(decExp);
  else right *= 10n ** BigInt(-decExp);
  if (binExp >= 0) right <<= BigInt(binExp);
  else left <<= BigInt(-binExp);
  return left === right;
}
