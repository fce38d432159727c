// Server-sent events as chat-completions providers send them: events separated by a blank line,
// payload in `data:` lines (several are joined by "\n"), comments start with ':'. Feed bytes-decoded text
// in any split; complete events come out in order.

export class SseParser {
  private buffer = '';

  /** Adds text and returns the data payloads of every event completed by it. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!m) break;
      const block = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const data = dataOf(block);
      if (data !== undefined) out.push(data);
    }
    return out;
  }

  /** Whatever is left at the end of the stream (a provider may omit the last blank line). */
  flush(): string[] {
    const rest = this.buffer;
    this.buffer = '';
    const data = dataOf(rest);
    return data === undefined ? [] : [data];
  }
}

function dataOf(block: string): string | undefined {
  const lines: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (!line.startsWith('data:')) continue;
    lines.push(line.slice(line[5] === ' ' ? 6 : 5));
  }
  return lines.length ? lines.join('\n') : undefined;
}
