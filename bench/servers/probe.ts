/**
 * Preloaded (`node --import probe.js`) into each system under test by the benchmark, never by the
 * gateway itself: answers the orchestrator's IPC probes with the process's CPU time and memory.
 * Nothing is added to the HTTP surface of any system.
 */
export interface ProbeReply {
  type: 'probe';
  id: number;
  /** process.cpuUsage(): user and system CPU time, µs. */
  userUs: number;
  systemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

process.on('message', (message: { type?: string; id?: number }) => {
  if (message?.type !== 'probe' || !process.send) return;
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const reply: ProbeReply = {
    type: 'probe',
    id: message.id ?? 0,
    userUs: cpu.user,
    systemUs: cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
  };
  process.send(reply);
});
