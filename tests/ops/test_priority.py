"""bin/serve's CPU priority (portal/ops/priority.py): the settings, a niceness given to a new
process and its session (autogroup) with and without the privilege to lower it, and the
cgroup v2 groups (on a directory laid out as cgroupfs is: this machine's kernel may offer no
cgroup v2 cpu controller). The stack itself: test_serve.py's
test_the_dispatch_path_comes_first_for_the_cpu."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.ops import priority

ROOT = Path(__file__).resolve().parent.parent.parent
AUTOGROUP = Path("/proc/self/autogroup").exists()

# priority.py alone (it needs nothing else), so that any Python can run it, as nobody too.
CHILD = """
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("priority", sys.argv[1])
priority = importlib.util.module_from_spec(spec)
spec.loader.exec_module(priority)
priority.enter(int(sys.argv[2]))
nice, group = priority.effective(os.getpid())
print(nice, group)
"""


def run_child(nice: int, python: str = sys.executable, **popen) -> tuple[int, int | None]:
    """A new process in a session of its own that enters `nice`; what it got."""
    result = subprocess.run(
        [python, "-c", CHILD, str(ROOT / "portal" / "ops" / "priority.py"), str(nice)],
        capture_output=True,
        text=True,
        timeout=30,
        start_new_session=True,
        **popen,
    )
    assert result.returncode == 0, result.stderr
    nice_got, group = result.stdout.split()
    return int(nice_got), None if group == "None" else int(group)


def test_the_settings_and_their_defaults():
    assert priority.nicenesses({}) == {"dispatch": -5, "web": 0, "worker": 10}
    assert priority.nicenesses({"DISPATCH_NICE": "0", "WEB_NICE": " 3 ", "WORKER_NICE": ""}) == {
        "dispatch": 0,
        "web": 3,
        "worker": 10,
    }
    for wrong in ("20", "-21", "low"):
        with pytest.raises(SystemExit, match="WEB_NICE"):
            priority.nicenesses({"WEB_NICE": wrong})


def test_without_the_privilege_the_others_are_raised_by_as_much():
    wanted = {"dispatch": -5, "web": 0, "worker": 10}
    assert priority.plan(wanted, allowed=lambda nice: True) == (wanted, 0)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    got, raised = priority.plan(wanted, allowed=lambda nice: False)
    assert raised == own + 5
    assert got == {"dispatch": own, "web": own + 5, "worker": min(19, own + 15)}
    got, _raised = priority.plan({"dispatch": -5, "web": 0, "worker": 17}, lambda nice: False)
    assert got["worker"] == 19  # at most 19


def test_a_new_process_gets_its_niceness_and_its_sessions():
    assert run_child(7) == (7, 7 if AUTOGROUP else None)


@pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
    reason="runs the child as nobody (the system's Python): needs root to do so",
)
def test_without_the_privilege_raising_works_and_lowering_stays_at_0():
    # As an unprivileged user (nobody): raising a niceness needs no privilege; below 0 is
    # refused, and the process stays at 0 (it still comes before the raised ones).
    nobody = {
        "python": "/usr/bin/python3",
        "user": 65534,
        "group": 65534,
        "extra_groups": [],
        "cwd": "/",
    }
    assert run_child(10, **nobody) == (10, 10 if AUTOGROUP else None)
    assert run_child(-5, **nobody) == (0, 0 if AUTOGROUP else None)
    # What bin/serve then plans: the dispatch at 0, the others raised by 5.
    plan = subprocess.run(
        [
            "/usr/bin/python3",
            "-c",
            CHILD.split("priority.enter")[0]
            + "print(priority.can_lower_to(-5), priority.plan(priority.nicenesses({})))",
            str(ROOT / "portal" / "ops" / "priority.py"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        **{k: v for k, v in nobody.items() if k != "python"},
    )
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.strip() == "False ({'dispatch': 0, 'web': 5, 'worker': 15}, 5)"


@pytest.mark.skipif(os.geteuid() != 0, reason="lowering a niceness needs the privilege")
def test_with_the_privilege_the_dispatch_is_lowered():
    assert run_child(-5) == (-5, -5 if AUTOGROUP else None)


def fake_cgroup(tmp_path: Path, controllers: str) -> Path:
    base = tmp_path / "service.slice"
    base.mkdir()
    (base / "cgroup.controllers").write_text(controllers + "\n")
    (base / "cgroup.subtree_control").write_text("\n")
    (base / "cgroup.procs").write_text("")
    return base


def test_cgroup_v2_groups_with_their_weights(tmp_path):
    base = fake_cgroup(tmp_path, "cpuset cpu io memory pids")
    groups = priority.CpuGroups({"dispatch": -5, "web": 5, "worker": 10}, base=base)
    top = base / f"portal-serve-{os.getpid()}"
    assert groups.top == top
    assert (top / "serve" / "cgroup.procs").read_text() == str(os.getpid())  # serve: a leaf
    assert (base / "cgroup.subtree_control").read_text() == "+cpu"
    assert (top / "cgroup.subtree_control").read_text() == "+cpu"
    for part, nice in {"dispatch": -5, "web": 5, "worker": 10}.items():
        assert groups.path(part) == top / part
        assert (top / part / "cpu.weight.nice").read_text() == str(nice)

    # A process started into a group joins it before it runs (bin/serve's preexec_fn).
    process = subprocess.Popen(
        [sys.executable, "-c", "pass"],
        preexec_fn=lambda: priority.enter(5, groups.path("web")),
        start_new_session=True,
    )
    assert process.wait(30) == 0
    assert (top / "web" / "cgroup.procs").read_text() == str(process.pid)

    # At serve's stop: the groups go, serve back in its own (cgroupfs's rmdir takes a group's
    # control files with it; here they are plain files, removed first).
    for control in top.glob("**/*"):
        if control.is_file():
            control.unlink()
    groups.remove()
    assert not top.exists()
    assert (base / "cgroup.procs").read_text() == str(os.getpid())


def test_no_cgroup_groups_without_the_cpu_controller(tmp_path):
    base = fake_cgroup(tmp_path, "memory pids")
    groups = priority.CpuGroups({"dispatch": -5}, base=base)
    assert groups.top is None and groups.path("dispatch") is None
    assert sorted(p.name for p in base.iterdir()) == [
        "cgroup.controllers",
        "cgroup.procs",
        "cgroup.subtree_control",
    ]
