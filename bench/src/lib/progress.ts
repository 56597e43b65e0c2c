/**
 * The status line shown while a suite runs:
 *
 *   ⠹ [3/8] resp 0:42 · total 3:10 │ 10k 1 KiB bulks, whole, Buffer · node-redis · round 2/3
 *
 * The runner says which suite is running (beginSuite/endSuite); suites and
 * the harness say what they are doing (progress). A one-second ticker keeps
 * the clocks moving through long steps (a redis-benchmark run, a child
 * process). It writes to stderr and only when stderr is a terminal, so piped
 * or redirected output carries no control codes.
 */

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

interface State {
  suite: string;
  index: number;
  total: number;
  suiteStart: number;
  runStart: number;
  text: string;
  ticks: number;
  timer: NodeJS.Timeout | null;
}

let state: State | null = null;
const runStart = Date.now();

function enabled(): boolean {
  return process.stderr.isTTY === true;
}

/** m:ss, or h:mm:ss past the hour. */
export function fmtElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The status line for the current state, without control codes (exported for tests). */
export function statusLine(
  s: Pick<State, 'suite' | 'index' | 'total' | 'suiteStart' | 'runStart' | 'text' | 'ticks'>,
  now: number,
): string {
  // Suites often start their text with their own name; the line already shows it.
  const text = s.text.startsWith(`${s.suite} `) ? s.text.slice(s.suite.length + 1) : s.text;
  const head = `${SPINNER[s.ticks % SPINNER.length]} [${s.index}/${s.total}] ${s.suite} ${fmtElapsed(now - s.suiteStart)} · total ${fmtElapsed(now - s.runStart)}`;
  return text ? `${head} │ ${text}` : head;
}

function draw(): void {
  if (!state || !enabled()) return;
  const line = statusLine(state, Date.now());
  const width = (process.stderr.columns ?? 80) - 1;
  process.stderr.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
}

function clearLine(): void {
  if (enabled()) process.stderr.write('\r\x1b[2K');
}

/** The runner starts suite `index` of `total` (1-based). */
export function beginSuite(suite: string, index: number, total: number): void {
  endSuite();
  const now = Date.now();
  state = { suite, index, total, suiteStart: now, runStart, text: '', ticks: 0, timer: null };
  if (enabled()) {
    const s = state;
    s.timer = setInterval(() => {
      s.ticks++;
      draw();
    }, 250);
    s.timer.unref();
  }
  draw();
}

/** Stops the ticker and clears the line, so the runner can print. */
export function endSuite(): void {
  if (state?.timer) clearInterval(state.timer);
  state = null;
  clearLine();
}

/**
 * What the suite is doing now ('' when it has finished a step). Outside
 * beginSuite/endSuite (a suite run on its own) it shows the text alone.
 */
export function progress(text: string): void {
  if (!enabled()) return;
  if (state) {
    state.text = text;
    draw();
    return;
  }
  const width = (process.stderr.columns ?? 80) - 1;
  process.stderr.write(`\r\x1b[2K${text.slice(0, width)}`);
}
