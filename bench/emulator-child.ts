// Starts `emulator-process.ts` in a child process (so its CPU and memory are not counted as ours)
// and waits for the line it prints when ready.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface EmulatorSetup {
  payments: number;
  days: number;
  mode: 'test' | 'live';
  latencyMs: number;
  limits: boolean;
  burst: number;
  /** Latency uniform between latencyMs and this (default: fixed latencyMs). */
  latencyMaxMs?: number;
  /** History shape (server/emulator/generator.ts); default `growing`. */
  shape?: 'even' | 'growing' | 'established';
  bursts?: number;
  /** The account's API version, which its events are rendered in (default: ours). */
  apiVersion?: string;
}

export interface EmulatorChild {
  url: string;
  controlUrl: string;
  account: string;
  key: string;
  counts: Record<string, number>;
  generateMs: number;
  stop(): void;
}

export async function startEmulatorChild(setup: EmulatorSetup, nodeArgs: string[] = []): Promise<EmulatorChild> {
  // A million objects take a few GB in the emulator's heap.
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=12288', ...nodeArgs, '--import', 'tsx', join(import.meta.dirname, 'emulator-process.ts'), JSON.stringify(setup)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<Omit<EmulatorChild, 'stop'>>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { ...ready, stop: () => child.stdin.end() };
}
