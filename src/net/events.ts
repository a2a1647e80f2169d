// Running the pending events of the world (the softirq of the model).
import "./init.js";
import { netifReceive } from "./core/dev.js";
import { neighTimer } from "./core/neighbour.js";
import { timerFire } from "./core/sock.js";
import { createSimulation, takeNextEvent, type Simulation } from "./simulation.js";
import type { World } from "../model/world.js";

/** Processes events due up to `until` (µs of virtual time); `stop` ends early once it holds. */
export function runEvents(simulation: Simulation, until: number, stop?: () => boolean): void {
  const world = simulation.world;
  for (;;) {
    if (stop?.()) return;
    const event = takeNextEvent(world, until);
    if (!event) break;
    switch (event.kind) {
      case "netif-receive":
        netifReceive(simulation, event.namespaceId, event.deviceIndex, event.frame);
        break;
      case "neigh-timer":
        neighTimer(simulation, event.namespaceId, event.deviceIndex, event.address);
        break;
      case "timer":
        timerFire(simulation, event.timerId);
        break;
    }
  }
  world.clock = Math.max(world.clock, until);
}

/** Lets virtual time pass with nothing watching (`sleep`, or the gap between commands). */
export function advanceClock(world: World, microseconds: number): void {
  runEvents(createSimulation(world, false), world.clock + microseconds);
}
