/**
 * How the tour prints: a heading per step tied to the article's section,
 * indented explanation lines, bytes escaped the way the article writes RESP
 * (`*3\r\n$3\r\nset\r\n...`), and a progress line that exists only on a
 * terminal (a piped or captured run gets the final lines and nothing else).
 */
import { performance } from 'node:perf_hooks';

export function heading(n: number, title: string, section: string): void {
  console.log(`\n== ${n}. ${title}  (article ${section})`);
}

export function say(text: string): void {
  console.log(`   ${text}`);
}

/** RESP bytes as the article prints them: CR and LF as `\r` `\n`, other control bytes as `\xNN`. */
export function escapeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x0d) s += '\\r';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x5c) s += '\\\\';
    else if (b < 0x20 || b >= 0x7f) s += `\\x${b.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(b);
  }
  return s;
}

/** The article's timing line: whole milliseconds, as its `current_tick()` counts them. */
export function timingLine(num: number, ms: number, what = 'exec redis command'): string {
  return `after ${num} ${what}, used ${Math.round(ms)} ms`;
}

/**
 * One updating line (`\r`) for a long step, redrawn at most every 50 ms so
 * the terminal never becomes the bottleneck being measured. On anything but
 * a TTY it prints nothing at all.
 */
export class Progress {
  private readonly tty = process.stdout.isTTY === true;
  private last = 0;
  private shown = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.last < 50 && done !== this.total) return;
    this.last = now;
    this.shown = true;
    process.stdout.write(`\r   ${this.label} ${done}/${this.total}`);
  }

  /** Erases the line, so the result prints where the progress was. */
  done(): void {
    if (this.shown) process.stdout.write('\r\x1b[K');
    this.shown = false;
  }
}
