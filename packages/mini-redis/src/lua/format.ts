/**
 * C's `%.14g`, the format Lua 5.1 (Redis's Lua) prints numbers with, and
 * cjson too. fengari's own conversion prints integral floats with ".0" and
 * switches to exponents where JavaScript does (1e21, not 1e14), so
 * fengari.ts installs this one in its place.
 */
export function formatG14(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant = '', expText = '0'] = n.toExponential(13).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 14) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, 13 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
