"""CPU priority for `make serve`'s processes (bin/serve; no Django: a plain module).

The dispatch's look-up must not wait for a CPU behind client pages, exports or other tenants
of the machine. bin/serve starts each part of the stack in a session of its own and gives it
a niceness before it runs (`enter`, in the child between fork and exec, so every process it
forks inherits it):

    DISPATCH_NICE  (-5)  the dispatch pool, and nginx and redis-server (on the look-up's path)
    WEB_NICE        (0)  the client pages' pool
    WORKER_NICE    (10)  the Celery worker and beat

Linux counts a niceness in three places, and each is set:
- the process's own niceness (setpriority);
- its session's autogroup (/proc/<pid>/autogroup): with `kernel.sched_autogroup_enabled=1`
  (Debian's default) the scheduler first shares the CPU between sessions, equally whatever
  the processes' nicenesses, so a niceness alone only orders the processes of one session;
- its cgroup v2 group, where bin/serve may make groups (a delegated, writable cgroup with the
  `cpu` controller: systemd's `Delegate=yes`, a container's own cgroup): one group per part,
  `cpu.weight.nice` set (autogroups do not apply inside a cgroup other than the root).

Raising a niceness (a lower priority: the pages' pool, the worker) needs no privilege.
Lowering it below the current one (the dispatch's -5) needs CAP_SYS_NICE or RLIMIT_NICE;
without it (`plan`) the dispatch stays where it is and the others are raised by as much, so
the order and the gaps stay the same (0, 5, 15 instead of -5, 0, 10). bin/serve reads back and
prints what each process got (`effective`).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

DEFAULTS = {"dispatch": -5, "web": 0, "worker": 10}
SETTINGS = {"dispatch": "DISPATCH_NICE", "web": "WEB_NICE", "worker": "WORKER_NICE"}


def nicenesses(env: dict) -> dict[str, int]:
    """DISPATCH_NICE, WEB_NICE, WORKER_NICE (-20 to 19) from the environment, else defaults."""
    out = {}
    for part, name in SETTINGS.items():
        raw = (env.get(name) or "").strip()
        try:
            value = int(raw) if raw else DEFAULTS[part]
        except ValueError:
            raise SystemExit(
                f"serve: {name} must be a whole number from -20 to 19, not {raw!r}"
            ) from None
        if not -20 <= value <= 19:
            raise SystemExit(f"serve: {name} must be from -20 to 19, not {value}")
        out[part] = value
    return out


def can_lower_to(nice: int) -> bool:
    """Whether this process may give a process (itself, its children) this niceness: tried on
    itself and undone (raising a niceness back is always allowed)."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if nice >= current:
        return True
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except PermissionError:
        return False
    os.setpriority(os.PRIO_PROCESS, 0, current)
    return True


def plan(nices: dict[str, int], allowed=can_lower_to) -> tuple[dict[str, int], int]:
    """The nicenesses to give, and by how much the others were raised: when the dispatch's
    may not be given (no privilege to lower it), it stays at this process's own and every
    other part is raised by the difference (at most 19), keeping the order and the gaps."""
    wanted = nices["dispatch"]
    if allowed(wanted):
        return dict(nices), 0
    got = max(wanted, os.getpriority(os.PRIO_PROCESS, 0))
    shift = got - wanted
    return {
        part: got if part == "dispatch" else min(19, nice + shift) for part, nice in nices.items()
    }, shift


def _set_niceness(nice: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except PermissionError:  # below 0 without CAP_SYS_NICE: as low as allowed
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0), 0))


def _set_autogroup(nice: int, seconds: float = 2.0) -> None:
    """This session's autogroup niceness. Unprivileged writes are limited to one every 0.1 s
    on the whole machine (EAGAIN): tried again for up to `seconds`."""
    path = Path("/proc/self/autogroup")
    if not path.exists():
        return
    deadline = time.monotonic() + seconds
    value = nice
    while True:
        try:
            path.write_text(str(value))
            return
        except PermissionError:
            if value >= 0:
                return
            value = 0  # below 0 is not allowed here: at least as the others' default
        except OSError as error:
            if error.errno != errno.EAGAIN or time.monotonic() > deadline:
                return
            time.sleep(0.03)


def enter(nice: int, cgroup: Path | None = None) -> None:
    """In the new process (bin/serve's preexec_fn, after setsid): into its cgroup when there
    is one, then its niceness and its session's. Never raises: a priority is not a reason
    for the stack not to start."""
    if cgroup is not None:
        try:
            (cgroup / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            pass
    try:
        _set_niceness(nice)
    except OSError:
        pass
    _set_autogroup(nice)


def effective(pid: int) -> tuple[int | None, int | None]:
    """(the process's niceness, its autogroup's niceness) as the kernel has them."""
    try:
        nice = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except (OSError, ValueError, IndexError):
        nice = None
    try:
        group = int(Path(f"/proc/{pid}/autogroup").read_text().split("nice")[1])
    except (OSError, ValueError, IndexError):
        group = None
    return nice, group


# --- cgroup v2 -------------------------------------------------------------------------------


def _own_cgroup(proc: Path = Path("/proc/self")) -> Path | None:
    """This process's cgroup v2 directory (the unified hierarchy's mount + its path)."""
    try:
        relative = next(
            line[3:] for line in (proc / "cgroup").read_text().splitlines() if line[:3] == "0::"
        )
        mounts = (proc / "mounts").read_text().splitlines()
    except (OSError, StopIteration):
        return None
    for line in mounts:
        fields = line.split()
        if len(fields) > 2 and fields[2] == "cgroup2":
            return Path(fields[1]) / relative.strip().lstrip("/")
    return None


class CpuGroups:
    """One cgroup v2 group per part of the stack, with its `cpu.weight.nice`, under a group of
    this serve's own, when this process's cgroup offers the cpu controller and is writable
    (systemd's `Delegate=yes`, a container's own cgroup); else nothing: `path` gives None and
    the nicenesses alone apply. cgroup v2 lets no process live in a group whose children share
    a controller, so serve itself moves first into a leaf of its own (`serve`)."""

    def __init__(self, nices: dict[str, int], base: Path | None = None):
        self.base = base if base is not None else _own_cgroup()
        self.top: Path | None = None
        self.groups: dict[str, Path] = {}
        if self.base is None:
            return
        try:
            if "cpu" not in (self.base / "cgroup.controllers").read_text().split():
                return
            if not os.access(self.base, os.W_OK):
                return
            self.top = self.base / f"portal-serve-{os.getpid()}"
            (self.top / "serve").mkdir(parents=True)
            (self.top / "serve" / "cgroup.procs").write_text(str(os.getpid()))
            if "cpu" not in (self.base / "cgroup.subtree_control").read_text().split():
                # Refused (EBUSY) while other processes live in `base` itself.
                (self.base / "cgroup.subtree_control").write_text("+cpu")
            (self.top / "cgroup.subtree_control").write_text("+cpu")
            for part, nice in nices.items():
                group = self.top / part
                group.mkdir()
                (group / "cpu.weight.nice").write_text(str(nice))
                self.groups[part] = group
        except OSError:
            self.remove()

    def path(self, part: str) -> Path | None:
        return self.groups.get(part)

    def remove(self) -> None:
        """The groups, once their processes have ended (bin/serve's stop); serve goes back to
        its own cgroup when that is allowed."""
        if self.top is None:
            return
        for group in self.groups.values():
            try:
                group.rmdir()
            except OSError:
                pass
        try:
            (self.base / "cgroup.procs").write_text(str(os.getpid()))
            (self.top / "serve").rmdir()
            self.top.rmdir()
        except OSError:
            pass
        self.groups = {}
        self.top = None
