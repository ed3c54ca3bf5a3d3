"""CPU seconds of a set of processes, counting what each has reaped of its own children."""

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
