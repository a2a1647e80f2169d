// Signal numbers (signal(7), x86 and ARM), for the exit status of a killed process (128 + N).
export const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15 };

/** TERM, SIGTERM, term, 15: the number; an unknown name counts as TERM (kill's default). */
export function signalNumber(signal: string): number {
  const name = signal.toUpperCase().replace(/^SIG/, "");
  return SIGNAL_NUMBERS[name] ?? (/^\d+$/.test(name) ? Number(name) : 15);
}
