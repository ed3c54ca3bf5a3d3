"""CPU seconds of a set of processes (counting what each has reaped of its own children), and
how fast the host runs now."""

from __future__ import annotations


def processes_cpu(processes) -> float:
    """User + system CPU of each psutil.Process, with its reaped children's; a process that has
    gone meanwhile counts nothing."""
    import psutil

    total = 0.0
    for proc in processes:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def host_probe(loops: int = 2_000_000) -> float:
    """CPU seconds this process takes for a fixed pure-Python loop: the host's speed at this
    moment. A virtual machine's CPU second is not a fixed amount of work (this one's varied
    by up to 1.6x within an hour), so figures taken at different moments compare only as
    well as their probes agree."""
    import time

    started = time.process_time()
    x = 0
    for i in range(loops):
        x += i * i % 7
    return time.process_time() - started
